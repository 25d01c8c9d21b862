package io.opsagent.platform;

import java.time.Instant;

public record Tenant(String id, String name, Instant createdAt) {}
