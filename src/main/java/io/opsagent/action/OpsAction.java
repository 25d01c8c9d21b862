package io.opsagent.action;

import java.time.Instant;

/**
 * One admitted platform action, as recorded in {@code ops_actions}. Its {@code id} is the control
 * request's idempotency id: every attempt to send it carries the same one.
 */
public record OpsAction(
    String id,
    String tenantId,
    String workspaceId,
    String deploymentId,
    ActionKind action,
    String toVersion,
    String reason,
    String runId,
    ActionStatus status,
    int attempts,
    String lastError,
    Instant requestedAt,
    Instant sentAt,
    Instant finishedAt) {}
