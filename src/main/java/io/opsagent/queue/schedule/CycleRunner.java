package io.opsagent.queue.schedule;

/**
 * Runs one agent cycle for a tenant (the agent's {@code runOpsCycle}). The ops-agent queue calls it
 * with the guarantee that no other queued cycle of that tenant runs anywhere in the cluster
 * meanwhile; a cycle started outside the queue (the {@code cycle} command) may still hold the
 * tenant, and then the runner answers {@link Result#BUSY} and a queued manual or event cycle is
 * queued again a moment later. An exception is logged by the queue and never stops the tenant's
 * recurring schedule.
 */
@FunctionalInterface
public interface CycleRunner {
  enum Result { DONE, BUSY }

  Result runCycle(String tenantId, Trigger trigger, String runId);
}
