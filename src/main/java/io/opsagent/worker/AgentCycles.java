package io.opsagent.worker;

import io.opsagent.agent.CycleAlreadyRunningException;
import io.opsagent.agent.OpsAgent;
import io.opsagent.agent.UnknownTenantException;
import io.opsagent.agent.run.OpsRun;
import io.opsagent.queue.schedule.CycleRunner;
import io.opsagent.queue.schedule.Trigger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ops-agent queue's handler: runs the agent's cycle and counts it; a tenant held by another
 * process is {@link CycleRunner.Result#BUSY}, a tenant that no longer exists loses its schedule.
 */
final class AgentCycles implements CycleRunner {
  private static final Logger log = LoggerFactory.getLogger(AgentCycles.class);

  private final OpsAgent agent;
  private final CycleMetrics metrics;
  private final Consumer<String> removeSchedule;

  AgentCycles(OpsAgent agent, CycleMetrics metrics, Consumer<String> removeSchedule) {
    this.agent = agent;
    this.metrics = metrics;
    this.removeSchedule = removeSchedule;
  }

  @Override
  public Result runCycle(String tenantId, Trigger trigger, String runId) {
    try {
      OpsRun run = agent.runOpsCycle(tenantId, trigger, runId);
      metrics.record(run);
    } catch (CycleAlreadyRunningException e) {
      log.info("cycle not run: another process holds this tenant's cycle tenant={} trigger={}",
          tenantId, trigger.wire());
      return Result.BUSY;
    } catch (UnknownTenantException e) {
      log.warn("tenant no longer exists, removing its schedule tenant={}", tenantId);
      removeSchedule.accept(tenantId);
    }
    return Result.DONE;
  }
}
