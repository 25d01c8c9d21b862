package io.opsagent.queue.schedule;

import io.opsagent.agent.run.Trigger;


/**
 * The data of one tenant's {@code ops-cycle} row (stored as JSON). {@code recurring} is false only
 * for a manual cycle of a tenant without a recurring schedule: that row is removed when it completes.
 */
record OpsCycleJob(String tenantId, Trigger trigger, boolean recurring) {
  OpsCycleJob withTrigger(Trigger t) {
    return new OpsCycleJob(tenantId, t, recurring);
  }

  OpsCycleJob recurringNow() {
    return new OpsCycleJob(tenantId, Trigger.SCHEDULE, true);
  }
}
