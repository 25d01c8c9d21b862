package io.opsagent.notify;

import java.time.Instant;

/**
 * One alert on its way to one channel: a row of the {@code notifications} delivery log. It holds what
 * the alert said, never the channel's configuration, so it can be listed as is. Its {@code id} is the
 * Standard Webhooks {@code webhook-id}: the same on every attempt, so receivers can de-duplicate.
 * {@code incidentKey}, {@code alertStatus} ({@code firing}/{@code update}/{@code resolved}) and
 * {@code by} ({@code code}/{@code model}) are those of its {@link Alert}.
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
    String alertStatus,
    String by) {

  public Delivery {
    alertStatus = alertStatus == null ? Alert.FIRING : alertStatus;
    by = by == null ? Alert.BY_CODE : by;
  }

  /** A delivery of an incident's notice decided by code. */
  public Delivery(String id, String tenantId, String channelId, String workspaceId, String runId,
      String deploymentId, Severity severity, String title, String body, DeliveryStatus status,
      int attempts, String lastError, Instant createdAt, Instant deliveredAt, String incidentKey,
      String alertStatus) {
    this(id, tenantId, channelId, workspaceId, runId, deploymentId, severity, title, body, status,
        attempts, lastError, createdAt, deliveredAt, incidentKey, alertStatus, Alert.BY_CODE);
  }

  /** A delivery of an alert outside any incident. */
  public Delivery(String id, String tenantId, String channelId, String workspaceId, String runId,
      String deploymentId, Severity severity, String title, String body, DeliveryStatus status,
      int attempts, String lastError, Instant createdAt, Instant deliveredAt) {
    this(id, tenantId, channelId, workspaceId, runId, deploymentId, severity, title, body, status,
        attempts, lastError, createdAt, deliveredAt, null, Alert.FIRING, Alert.BY_CODE);
  }

  /** A delivery of an alert that concerns no deployment in particular. */
  public Delivery(String id, String tenantId, String channelId, String workspaceId, String runId,
      Severity severity, String title, String body, DeliveryStatus status, int attempts,
      String lastError, Instant createdAt, Instant deliveredAt) {
    this(id, tenantId, channelId, workspaceId, runId, null, severity, title, body, status, attempts,
        lastError, createdAt, deliveredAt);
  }
}
