package io.opsagent.agent;

/**
 * A cycle could not start because another cycle of that tenant holds its cluster-wide lock (a
 * worker, or the {@code cycle} command, which then exits 3). A queued cycle that meets it is queued
 * again a moment later.
 */
public final class CycleAlreadyRunningException extends RuntimeException {
  private final String tenantId;

  public CycleAlreadyRunningException(String tenantId) {
    super("a cycle of tenant " + tenantId + " is already running");
    this.tenantId = tenantId;
  }

  public String tenantId() {
    return tenantId;
  }
}
