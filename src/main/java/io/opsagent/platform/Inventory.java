package io.opsagent.platform;

import java.util.List;
import java.util.Optional;

/**
 * A tenant's full inventory as its platform describes it, by external id, and what a reconcile of
 * it changed. A deployment field given as {@code null} here was absent from the request and is left
 * as stored; {@code Optional.empty()} clears it.
 */
public final class Inventory {
  private Inventory() {}

  public record WorkspaceItem(String externalId, String name, List<DeploymentItem> deployments) {}

  /** {@code status} is the status of a deployment created by the reconcile (RUNNING when null). */
  public record DeploymentItem(String externalId, String name, DeploymentStatus status, String version,
      Optional<String> healthUrl, Optional<String> backupSchedule) {}

  /** One object named by the reconcile: its id and its external id. */
  public record Ref(String id, String externalId) {}

  public record Objects(List<Ref> workspaces, List<Ref> deployments) {
    public boolean isEmpty() {
      return workspaces.isEmpty() && deployments.isEmpty();
    }
  }

  /**
   * What a reconcile did: objects created, updated (name, external id adopted, version, health URL
   * or backup schedule changed), removed (soft-deleted), left alone (owned by another source), and
   * how many matched the inventory already.
   */
  public record Result(Objects created, Objects updated, Objects removed, Objects leftAlone, int unchanged) {
    public boolean changed() {
      return !created.isEmpty() || !updated.isEmpty() || !removed.isEmpty();
    }
  }
}
