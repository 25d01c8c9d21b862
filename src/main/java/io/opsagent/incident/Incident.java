package io.opsagent.incident;

import io.opsagent.notify.Severity;
import java.time.Instant;

/**
 * One problem of one deployment, from the alert that opened it until code saw it gone.
 * {@code incidentKey} is {@code {tenantId}:{deploymentId}:{problem}}; {@code alerts} counts the
 * alerts recorded on it (the first one paged; later ones did not).
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
    Instant resolvedAt) {

  public enum Status {
    OPEN, RESOLVED;

    public String wire() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }

    public static Status fromWire(String s) {
      return switch (s) {
        case "open" -> OPEN;
        case "resolved" -> RESOLVED;
        default -> throw new IllegalArgumentException("status must be open or resolved");
      };
    }
  }

  public static String key(String tenantId, String deploymentId, Problem problem) {
    return tenantId + ":" + deploymentId + ":" + problem.wire();
  }
}
