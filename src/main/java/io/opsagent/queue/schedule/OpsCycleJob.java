package io.opsagent.queue.schedule;

/**
 * The data of one tenant's {@code ops-cycle} row (stored as JSON). {@code recurring} is false only
 * for a one-off cycle of a tenant without a recurring schedule: that row is removed when it
 * completes. {@code runId} is the id given out when a cycle was queued (manual, event), which the
 * run is recorded under; null for a scheduled cycle.
 */
record OpsCycleJob(String tenantId, Trigger trigger, boolean recurring, String runId) {
  OpsCycleJob queued(Trigger t, String id) {
    return new OpsCycleJob(tenantId, t, recurring, id);
  }

  OpsCycleJob recurringNow() {
    return new OpsCycleJob(tenantId, Trigger.SCHEDULE, true, null);
  }

  /** Queued for now by a trigger other than the schedule, and not started yet. */
  boolean isQueuedCycle() {
    return trigger != Trigger.SCHEDULE && runId != null;
  }
}
