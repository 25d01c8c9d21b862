package io.opsagent.agent;

/**
 * A manual cycle was refused because that tenant's cycle is running (or already picked to run)
 * somewhere in the cluster; the HTTP API answers 409.
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
