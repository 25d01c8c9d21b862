package io.opsagent.incident;

import io.opsagent.notify.Severity;
import java.time.Instant;

/**
 * One problem of one deployment, from the alert that opened it until code saw it gone.
 * {@code incidentKey} is {@code {tenantId}:{deploymentId}:{problem}}; {@code alerts} counts the
 * alerts recorded on it. It is paged once a firing delivery of it reached a receiver
 * ({@code pagedAt}); until then {@code pagingSince} is when the oldest firing delivery still being
 * retried was recorded (null when none is: nothing is on its way, so the next alert, report or
 * the watchdog pages it). {@code resolvedReason} is {@value #RECOVERED} or {@value #REMOVED} once
 * resolved (null on incidents resolved before reasons were recorded).
 */
public record Incident(
    String id,
    String tenantId,
    String deploymentId,
    String workspaceId,
    String incidentKey,
    Problem problem,
    Severity severity,
    String title,
    String body,
    Status status,
    int alerts,
    Instant openedAt,
    Instant lastAlertAt,
    Instant lastNotifiedAt,
    Instant acknowledgedAt,
    Instant resolvedAt,
    Instant pagedAt,
    Instant pagingSince,
    String resolvedReason) {

  /** Why an incident resolved: its problem is gone. */
  public static final String RECOVERED = "recovered";
  /** Why an incident resolved: its deployment was deleted (or removed from the inventory). */
  public static final String REMOVED = "removed";

  /** An incident not resolved, or resolved for no recorded reason. */
  public Incident(String id, String tenantId, String deploymentId, String workspaceId, String incidentKey,
      Problem problem, Severity severity, String title, String body, Status status, int alerts, Instant openedAt,
      Instant lastAlertAt, Instant lastNotifiedAt, Instant acknowledgedAt, Instant resolvedAt, Instant pagedAt,
      Instant pagingSince) {
    this(id, tenantId, deploymentId, workspaceId, incidentKey, problem, severity, title, body, status, alerts,
        openedAt, lastAlertAt, lastNotifiedAt, acknowledgedAt, resolvedAt, pagedAt, pagingSince, null);
  }

  /** Whether people were reached: {@code paged} once a firing delivery was, else {@code unpaged}. */
  public String pageStatus() {
    return pagedAt != null ? "paged" : "unpaged";
  }

  /** Paged, or a page is on its way: nothing else may page it (that is what makes it once). */
  public boolean pagedOrPaging() {
    return pagedAt != null || pagingSince != null;
  }

  /** What the model is told about the page: the truth, never "already paged" when it was not. */
  public String pageState() {
    if (pagedAt != null) {
      return "paged at " + pagedAt;
    }
    return pagingSince != null ? "paging since " + pagingSince + ", not yet delivered" : "unpaged";
  }

  public enum Status implements io.opsagent.Wire {
    OPEN, RESOLVED;

    public static Status fromWire(String s) {
      return io.opsagent.Wire.find(Status.class, s)
          .orElseThrow(() -> new IllegalArgumentException("status must be open or resolved"));
    }
  }

  public static String key(String tenantId, String deploymentId, Problem problem) {
    return tenantId + ":" + deploymentId + ":" + problem.wire();
  }
}
