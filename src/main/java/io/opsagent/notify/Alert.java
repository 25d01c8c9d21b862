package io.opsagent.notify;

import java.util.Objects;

/**
 * An alert for people: sent to the channels of {@code workspaceId} plus the tenant-wide channels
 * of {@code tenantId} ({@code workspaceId} null: tenant-wide channels only). {@code runId} links it
 * to the agent run that raised it, when there is one; {@code deploymentId} names the one deployment
 * it concerns, when it concerns one (webhooks then carry {@code "deploymentId"}). An alert that is
 * part of an incident carries its {@code incidentKey}, and {@code status} says whether it fires
 * ({@link #FIRING}, also every alert outside incidents: a page), adds to it ({@link #UPDATE}: the
 * model's diagnosis or an action's outcome on an incident already paged) or resolves
 * ({@link #RESOLVED}) it; {@link #ACKNOWLEDGED} tells the channels that track it (PagerDuty) that
 * someone took it. {@code by} says who decided to send it: {@link #BY_CODE} (the
 * immediate page, the watchdog, reminders, notices) or {@link #BY_MODEL} (a {@code sendAlert} call).
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
    String status,
    String by) {
  public static final String FIRING = "firing";
  public static final String UPDATE = "update";
  public static final String RESOLVED = "resolved";
  /** Someone acknowledged the incident in opsagent; sent only to channels that track it ({@link ChannelType#takes}). */
  public static final String ACKNOWLEDGED = "acknowledged";
  public static final String BY_CODE = "code";
  public static final String BY_MODEL = "model";

  public Alert {
    Objects.requireNonNull(tenantId, "tenantId");
    Objects.requireNonNull(severity, "severity");
    Objects.requireNonNull(title, "title");
    Objects.requireNonNull(body, "body");
    status = status == null ? FIRING : status;
    if (!status.equals(FIRING) && !status.equals(UPDATE) && !status.equals(RESOLVED)
        && !status.equals(ACKNOWLEDGED)) {
      throw new IllegalArgumentException("alert status must be firing, update, resolved or acknowledged: " + status);
    }
    by = by == null ? BY_CODE : by;
    if (!by.equals(BY_CODE) && !by.equals(BY_MODEL)) {
      throw new IllegalArgumentException("alert sender must be code or model: " + by);
    }
  }

  /** An alert decided by code. */
  public Alert(String tenantId, String workspaceId, Severity severity, String title, String body,
      String runId, String deploymentId, String incidentKey, String status) {
    this(tenantId, workspaceId, severity, title, body, runId, deploymentId, incidentKey, status, BY_CODE);
  }

  /** This alert as part of the incident {@code incidentKey}, with {@code status}. */
  public Alert on(String incidentKey, String status) {
    return new Alert(tenantId, workspaceId, severity, title, body, runId, deploymentId, incidentKey, status, by);
  }

  /** An alert about one deployment, outside any incident. */
  public Alert(String tenantId, String workspaceId, Severity severity, String title, String body,
      String runId, String deploymentId) {
    this(tenantId, workspaceId, severity, title, body, runId, deploymentId, null, FIRING, BY_CODE);
  }

  /** An alert that concerns no deployment in particular. */
  public Alert(String tenantId, String workspaceId, Severity severity, String title, String body, String runId) {
    this(tenantId, workspaceId, severity, title, body, runId, null, null, FIRING, BY_CODE);
  }
}
