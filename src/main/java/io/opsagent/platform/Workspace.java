package io.opsagent.platform;

import java.time.Instant;

public record Workspace(String id, String tenantId, String name, Instant createdAt) {}
