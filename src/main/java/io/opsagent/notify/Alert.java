package io.opsagent.notify;

import java.util.Objects;

/**
 * An alert for people: sent to the channels of {@code workspaceId} plus the tenant-wide channels
 * of {@code tenantId} ({@code workspaceId} null: tenant-wide channels only). {@code runId} links it
 * to the agent run that raised it, when there is one; {@code deploymentId} names the one deployment
 * it concerns, when it concerns one (webhooks then carry {@code "deploymentId"}). An alert that is
 * part of an incident carries its {@code incidentKey}, and {@code status} says whether it fires
 * ({@link #FIRING}, also every alert outside incidents) or resolves ({@link #RESOLVED}) it.
 */
public record Alert(
    String tenantId,
    String workspaceId,
    Severity severity,
    String title,
    String body,
    String runId,
    String deploymentId,
    String incidentKey,
    String status) {
  public static final String FIRING = "firing";
  public static final String RESOLVED = "resolved";

  public Alert {
    Objects.requireNonNull(tenantId, "tenantId");
    Objects.requireNonNull(severity, "severity");
    Objects.requireNonNull(title, "title");
    Objects.requireNonNull(body, "body");
    status = status == null ? FIRING : status;
    if (!status.equals(FIRING) && !status.equals(RESOLVED)) {
      throw new IllegalArgumentException("alert status must be firing or resolved: " + status);
    }
  }

  /** An alert about one deployment, outside any incident. */
  public Alert(String tenantId, String workspaceId, Severity severity, String title, String body,
      String runId, String deploymentId) {
    this(tenantId, workspaceId, severity, title, body, runId, deploymentId, null, FIRING);
  }

  /** An alert that concerns no deployment in particular. */
  public Alert(String tenantId, String workspaceId, Severity severity, String title, String body, String runId) {
    this(tenantId, workspaceId, severity, title, body, runId, null, null, FIRING);
  }
}
