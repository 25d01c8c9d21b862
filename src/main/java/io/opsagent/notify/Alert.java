package io.opsagent.notify;

import java.util.Objects;

/**
 * An alert for people: sent to the channels of {@code workspaceId} plus the tenant-wide channels
 * of {@code tenantId} ({@code workspaceId} null: tenant-wide channels only). {@code runId} links it
 * to the agent run that raised it, when there is one; {@code deploymentId} names the one deployment
 * it concerns, when it concerns one (webhooks then carry {@code "deploymentId"}).
 */
public record Alert(
    String tenantId,
    String workspaceId,
    Severity severity,
    String title,
    String body,
    String runId,
    String deploymentId) {
  public Alert {
    Objects.requireNonNull(tenantId, "tenantId");
    Objects.requireNonNull(severity, "severity");
    Objects.requireNonNull(title, "title");
    Objects.requireNonNull(body, "body");
  }

  /** An alert that concerns no deployment in particular. */
  public Alert(String tenantId, String workspaceId, Severity severity, String title, String body, String runId) {
    this(tenantId, workspaceId, severity, title, body, runId, null);
  }
}
