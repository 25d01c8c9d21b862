package io.opsagent.agent;

/** A cycle was asked for a tenant that does not exist; no run is recorded. */
public final class UnknownTenantException extends RuntimeException {
  public UnknownTenantException(String tenantId) {
    super("unknown tenant '" + tenantId + "'");
  }
}
