package io.opsagent.notify;

import java.util.Objects;

/**
 * An alert for people: sent to the channels of {@code workspaceId} plus the tenant-wide channels
 * of {@code tenantId} ({@code workspaceId} null: tenant-wide channels only). {@code runId} links it
 * to the agent run that raised it, when there is one.
 */
public record Alert(
    String tenantId, String workspaceId, Severity severity, String title, String body, String runId) {
  public Alert {
    Objects.requireNonNull(tenantId, "tenantId");
    Objects.requireNonNull(severity, "severity");
    Objects.requireNonNull(title, "title");
    Objects.requireNonNull(body, "body");
  }
}
