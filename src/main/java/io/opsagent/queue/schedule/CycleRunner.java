package io.opsagent.queue.schedule;

import io.opsagent.agent.run.Trigger;


/**
 * Runs one agent cycle for a tenant (the loop's {@code runOpsCycle}). The ops-agent queue calls it
 * with the guarantee that no other cycle of that tenant runs anywhere in the cluster meanwhile. An
 * exception is logged by the queue and never stops the tenant's recurring schedule.
 */
@FunctionalInterface
public interface CycleRunner {
  void runCycle(String tenantId, Trigger trigger);
}
