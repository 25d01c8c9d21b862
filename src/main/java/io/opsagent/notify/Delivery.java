package io.opsagent.notify;

import java.time.Instant;

/**
 * One alert on its way to one channel: a row of the {@code notifications} delivery log. It holds what
 * the alert said, never the channel's configuration, so it can be listed as is. Its {@code id} is the
 * Standard Webhooks {@code webhook-id}: the same on every attempt, so receivers can de-duplicate.
 * {@code incidentKey} and {@code alertStatus} ({@code firing}/{@code resolved}) are those of its
 * {@link Alert}.
 */
public record Delivery(
    String id,
    String tenantId,
    String channelId,
    String workspaceId,
    String runId,
    String deploymentId,
    Severity severity,
    String title,
    String body,
    DeliveryStatus status,
    int attempts,
    String lastError,
    Instant createdAt,
    Instant deliveredAt,
    String incidentKey,
    String alertStatus) {

  public Delivery {
    alertStatus = alertStatus == null ? Alert.FIRING : alertStatus;
  }

  /** A delivery of an alert outside any incident. */
  public Delivery(String id, String tenantId, String channelId, String workspaceId, String runId,
      String deploymentId, Severity severity, String title, String body, DeliveryStatus status,
      int attempts, String lastError, Instant createdAt, Instant deliveredAt) {
    this(id, tenantId, channelId, workspaceId, runId, deploymentId, severity, title, body, status,
        attempts, lastError, createdAt, deliveredAt, null, Alert.FIRING);
  }

  /** A delivery of an alert that concerns no deployment in particular. */
  public Delivery(String id, String tenantId, String channelId, String workspaceId, String runId,
      Severity severity, String title, String body, DeliveryStatus status, int attempts,
      String lastError, Instant createdAt, Instant deliveredAt) {
    this(id, tenantId, channelId, workspaceId, runId, null, severity, title, body, status, attempts,
        lastError, createdAt, deliveredAt);
  }
}
