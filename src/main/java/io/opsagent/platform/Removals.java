package io.opsagent.platform;

import java.util.List;

/**
 * Told, after the commit, what a delete or a reconcile removed, so the agent stops watching it: a
 * removed tenant's schedule goes, removed deployments' open incidents resolve as {@code removed}.
 * Implemented by the composition root, which owns the scheduler and the incidents.
 */
public interface Removals {
  Removals NONE = removed -> {};

  void removed(Removed removed);

  /** What one transaction soft-deleted; {@code tenantRemoved} when the tenant itself went. */
  record Removed(String tenantId, boolean tenantRemoved, List<String> workspaceIds, List<String> deploymentIds) {
    public boolean isEmpty() {
      return !tenantRemoved && workspaceIds.isEmpty() && deploymentIds.isEmpty();
    }
  }
}
