package io.opsagent.agent;

import io.opsagent.Json;
import io.opsagent.agent.run.OpsRun;
import io.opsagent.agent.run.RunOutcome;
import io.opsagent.agent.run.RunRepository;
import io.opsagent.agent.run.RunStatus;
import io.opsagent.db.Ids;
import io.opsagent.queue.schedule.Trigger;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The first and last step of a cycle: which run id it records under (a retried cycle whose run is
 * already recorded is not run again), the orphaned {@code running} rows it marks failed, the row it
 * writes {@code running}, and the outcome it records exactly once. Remembers the runs this agent
 * wrote and has not finished, each with why its outcome was not recorded (empty while it runs): an
 * orphan found there belongs to this live process, so it was cut off by the database, not by a
 * dead worker.
 */
final class RunLedger {
  private static final Logger log = LoggerFactory.getLogger(OpsAgent.class);

  private final RunRepository runs;
  private final Map<String, String> unrecorded = new ConcurrentHashMap<>();

  RunLedger(RunRepository runs) {
    this.runs = runs;
  }

  /** Where a cycle starts: the run already recorded under its id, or the id it runs under. */
  sealed interface Start {
    record Recorded(OpsRun run) implements Start {}

    record Fresh(String runId) implements Start {}
  }

  /** Called holding the tenant's cycle lock: any {@code running} row of the tenant is an orphan. */
  Start start(String tenantId, String runId) {
    Optional<OpsRun> earlier = runId == null ? Optional.empty() : runs.find(tenantId, runId);
    if (earlier.isPresent() && (earlier.get().status() == RunStatus.COMPLETED
        || earlier.get().status() == RunStatus.SKIPPED)) {
      log.info("cycle already recorded under its run id, not run again tenant={} run={} status={}",
          tenantId, runId, earlier.get().status().wire());
      return new Start.Recorded(earlier.get());
    }
    String id = runId == null || earlier.isPresent() ? Ids.newId() : runId;
    int orphans = runs.failOrphaned(tenantId, orphan -> orphanReason(orphan, runId, id));
    if (orphans > 0) {
      log.warn("orphaned runs marked failed tenant={} count={} run={}", tenantId, orphans, id);
    }
    if (earlier.isPresent()) {
      log.info("cycle retried under a new run id tenant={} retryOf={} run={} earlierStatus={}", tenantId,
          runId, id, earlier.get().status().wire());
    }
    return new Start.Fresh(id);
  }

  /** Writes the run's {@code running} row. */
  OpsRun running(String tenantId, Trigger trigger, String runId) {
    OpsRun run = runs.start(tenantId, trigger, runId);
    unrecorded.put(runId, "");
    return run;
  }

  /** The database failed the cycle (the row stays running): the cycle's retry labels it with this. */
  void cutOff(String runId, RuntimeException e) {
    unrecorded.replace(runId, rootCause(e));
  }

  /**
   * Records the outcome; false when the row was no longer running (the tenant's cycle lock or the
   * row was taken over). Throws when the database fails, after logging the outcome in full.
   */
  boolean finish(String tenantId, String runId, RunOutcome outcome) {
    boolean recorded;
    try {
      recorded = runs.finish(runId, outcome);
    } catch (RuntimeException e) {
      unrecorded.replace(runId, rootCause(e));
      log.error("cycle outcome could not be recorded (the database failed; the run stays running until"
              + " the cycle's retry marks it failed) tenant={} run={} status={} summary=\"{}\" actions={}"
              + " error=\"{}\"", tenantId, runId, outcome.status().wire(), outcome.summary(),
          outcome.actionsJson(), rootCause(e));
      throw e;
    }
    unrecorded.remove(runId);
    if (!recorded) {
      log.error("cycle outcome could not be recorded (the tenant's cycle lock or the run row was taken"
              + " over) tenant={} run={} status={} summary=\"{}\" actions={}", tenantId, runId,
          outcome.status().wire(), outcome.summary(), outcome.actionsJson());
    }
    return recorded;
  }

  /**
   * Why the orphaned run {@code orphan} ended, as its {@code error}: this agent's own run cut off by
   * the database (it knows that run), else a lost worker; and who took over ({@code next}).
   */
  private String orphanReason(String orphan, String retried, String next) {
    String after = orphan.equals(retried) ? "; the cycle was retried as run " + next
        : "; marked failed when the tenant's next cycle (run " + next + ") started";
    String why = unrecorded.remove(orphan);
    if (why != null) {
      return OpsAgent.DATABASE_OUTAGE + ": this worker is alive but lost its database connection during"
          + " the cycle" + (why.isEmpty() ? ", so the cycle lock was released while the cycle ran"
              : " and could not record its outcome (" + why + ")") + after;
    }
    return OpsAgent.WORKER_LOST + ": the process running this cycle stopped (died or was killed) or lost"
        + " its database session before recording an outcome" + after;
  }

  /** The innermost cause of {@code e}, short (a statement's exception also carries its arguments). */
  private static String rootCause(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String text = root.getClass().getSimpleName() + ": " + root.getMessage();
    return Json.truncate(text, 300);
  }
}
