package io.opsagent.platform;

/**
 * Who manages a tenant, workspace or deployment: the {@code source} column. Objects created
 * through the HTTP API (one by one or by the inventory) are {@value #API}'s; a reconcile of the
 * inventory changes and removes only those, and leaves any other source's (e.g. a Kubernetes
 * watcher's, {@value #KUBERNETES}) alone.
 */
public final class Source {
  public static final String API = "api";
  public static final String KUBERNETES = "kubernetes";

  private Source() {}
}
