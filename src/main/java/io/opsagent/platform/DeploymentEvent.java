package io.opsagent.platform;

import java.time.Instant;

/** Something that happened to a deployment; {@code status} is set when the event moved it. */
public record DeploymentEvent(
    String id,
    String tenantId,
    String deploymentId,
    String type,
    DeploymentStatus status,
    String message,
    Instant createdAt) {}
