package io.opsagent.agent;

import io.opsagent.agent.guard.CyclePolicy;
import io.opsagent.agent.review.ReviewMemory;
import io.opsagent.agent.review.StateFingerprint;
import io.opsagent.agent.run.OpsRun;
import io.opsagent.agent.run.RunRepository;
import io.opsagent.agent.run.SkipReason;
import io.opsagent.queue.schedule.Trigger;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether a cycle is skipped, recorded {@code skipped} without a model call: the circuit breaker
 * pauses the tenant ({@code circuit_open}), or a scheduled cycle finds the state it last reviewed,
 * with no new event that matters, and a full review is not yet due ({@code unchanged}).
 */
final class SkipCheck {
  private static final Logger log = LoggerFactory.getLogger(OpsAgent.class);

  private final RunRepository runs;
  private final CyclePolicy policy;
  private final ReviewMemory memory;
  private final Duration fullReviewInterval;
  private final boolean reviewEveryCycle;

  /** {@code reviewEveryCycle}: the original design (no unchanged skip), for the benchmark only. */
  SkipCheck(RunRepository runs, CyclePolicy policy, ReviewMemory memory, Duration fullReviewInterval,
      boolean reviewEveryCycle) {
    this.runs = runs;
    this.policy = policy;
    this.memory = memory;
    this.fullReviewInterval = fullReviewInterval;
    this.reviewEveryCycle = reviewEveryCycle;
  }

  /** The skipped run when the circuit breaker pauses the tenant (the policy is told of it). */
  Optional<OpsRun> circuitOpen(String tenantId, Trigger trigger, String runId) {
    Optional<String> paused = policy.skipReason(tenantId, trigger);
    if (paused.isEmpty()) {
      return Optional.empty();
    }
    OpsRun run = runs.skipped(tenantId, trigger, runId, SkipReason.CIRCUIT_OPEN, paused.get());
    log.info("cycle skipped tenant={} run={} skipReason=circuit_open reason=\"{}\"", tenantId, runId,
        paused.get());
    tellPolicy(policy, run);
    return Optional.of(run);
  }

  /** The skipped run when a scheduled cycle finds nothing that matters changed since a recent review. */
  Optional<OpsRun> unchanged(String tenantId, Trigger trigger, String runId, StateFingerprint fingerprint,
      Instant now, long startedNanos) {
    if (trigger != Trigger.SCHEDULE || reviewEveryCycle || !unchangedSinceReview(tenantId, fingerprint, now)) {
      return Optional.empty();
    }
    OpsRun run = runs.skipped(tenantId, trigger, runId, SkipReason.UNCHANGED,
        "State unchanged since the last review; no model call.");
    log.info("cycle skipped tenant={} run={} skipReason=unchanged ms={}", tenantId, runId,
        (System.nanoTime() - startedNanos) / 1_000_000);
    return Optional.of(run);
  }

  private boolean unchangedSinceReview(String tenantId, StateFingerprint fingerprint, Instant now) {
    return memory.last(tenantId)
        .filter(last -> now.isBefore(last.reviewedAt().plus(fullReviewInterval)))
        .filter(fingerprint::unchangedSince)
        .isPresent();
  }

  /** Tells the cycle policy (the circuit breaker) how a cycle ended; its failure fails nothing. */
  static void tellPolicy(CyclePolicy policy, OpsRun run) {
    try {
      policy.finished(run);
    } catch (RuntimeException e) {
      log.warn("cycle policy failed tenant={} run={} error={}", run.tenantId(), run.id(), e.toString());
    }
  }
}
