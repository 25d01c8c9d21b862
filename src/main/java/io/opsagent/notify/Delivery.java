package io.opsagent.notify;

import java.time.Instant;

/**
 * One alert on its way to one channel: a row of the {@code notifications} delivery log. It holds what
 * the alert said, never the channel's configuration, so it can be listed as is.
 */
public record Delivery(
    String id,
    String tenantId,
    String channelId,
    String workspaceId,
    String runId,
    Severity severity,
    String title,
    String body,
    DeliveryStatus status,
    int attempts,
    String lastError,
    Instant createdAt,
    Instant deliveredAt) {}
