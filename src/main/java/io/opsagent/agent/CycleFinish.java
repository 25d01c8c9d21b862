package io.opsagent.agent;

import io.opsagent.agent.cycle.TenantCycleLock;
import io.opsagent.agent.guard.CyclePolicy;
import io.opsagent.agent.llm.ModelClient;
import io.opsagent.agent.review.ReviewMemory;
import io.opsagent.agent.review.StateFingerprint;
import io.opsagent.agent.run.OpsRun;
import io.opsagent.agent.run.RunOutcome;
import io.opsagent.agent.run.RunRepository;
import io.opsagent.agent.run.RunStatus;
import io.opsagent.queue.schedule.Trigger;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * The last step of a reviewed cycle: records its outcome exactly once, even when the lock was lost
 * (finishing only ever changes a row still running, so an outcome recorded by whoever took the
 * tenant over is never overwritten); remembers the reviewed state of a completed cycle for the
 * unchanged skip; logs the cycle in one line; and, still holding the lock, tells the circuit breaker.
 */
final class CycleFinish {
  private static final Logger log = LoggerFactory.getLogger(OpsAgent.class);

  private final RunLedger ledger;
  private final RunRepository runs;
  private final ReviewMemory memory;
  private final CyclePolicy policy;
  private final ModelClient model;

  CycleFinish(RunLedger ledger, RunRepository runs, ReviewMemory memory, CyclePolicy policy, ModelClient model) {
    this.ledger = ledger;
    this.runs = runs;
    this.memory = memory;
    this.policy = policy;
    this.model = model;
  }

  OpsRun finish(String tenantId, Trigger trigger, String runId, RunOutcome outcome, Progress p,
      TenantCycleLock.Held held, StateFingerprint fingerprint, Instant reviewedAt, long startedNanos) {
    boolean lockHeld = held.isHeld();
    boolean recorded = ledger.finish(tenantId, runId, outcome);
    if (recorded && !lockHeld) {
      log.warn("cycle lock lost (its database session died); outcome recorded, no further side effect"
          + " tenant={} run={} status={}", tenantId, runId, outcome.status().wire());
    }
    if (recorded && lockHeld && outcome.status() == RunStatus.COMPLETED) {
      memory.remember(tenantId, fingerprint, reviewedAt, runId);
    }
    OpsRun done = runs.find(tenantId, runId).orElseThrow();
    log.atLevel(done.status() == RunStatus.FAILED ? Level.WARN : Level.INFO)
        .log("cycle finished tenant={} run={} trigger={} status={} steps={} calls={} refused={}"
            + " inputTokens={} outputTokens={} cacheReadTokens={} cacheWriteTokens={} costUsd={}"
            + " model={} ms={}{}", tenantId, runId, trigger.wire(), done.status().wire(), p.steps,
        p.session == null ? 0 : p.session.calls(), p.session == null ? 0 : p.session.refused(),
        p.tokens.input(), p.tokens.output(), p.tokens.cacheRead(), p.tokens.cacheWrite(),
        outcome.costUsd(), model.modelId(), (System.nanoTime() - startedNanos) / 1_000_000,
        done.error() == null ? "" : " error=\"" + done.error() + "\"");
    if (lockHeld) { // without the lock, another holder may be running the tenant: no more alerts from here
      SkipCheck.tellPolicy(policy, done);
    }
    return done;
  }
}
