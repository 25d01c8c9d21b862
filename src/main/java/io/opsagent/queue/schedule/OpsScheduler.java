package io.opsagent.queue.schedule;

import com.github.kagkarlsson.scheduler.ScheduledExecution;
import com.github.kagkarlsson.scheduler.SchedulerClient;
import com.github.kagkarlsson.scheduler.exceptions.DbSchedulerException;
import com.github.kagkarlsson.scheduler.exceptions.TaskInstanceCurrentlyExecutingException;
import com.github.kagkarlsson.scheduler.exceptions.TaskInstanceNotFoundException;
import com.github.kagkarlsson.scheduler.task.Task;
import io.opsagent.config.Config;
import io.opsagent.db.Database;
import io.opsagent.db.Ids;
import io.opsagent.platform.TenantRepository;
import io.opsagent.queue.JobType;
import io.opsagent.queue.Queues;
import io.opsagent.queue.Wakeup;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Each tenant's recurring agent cycle, after the original {@code scheduler.ts}, on the ops-agent
 * queue. A tenant has at most one {@code ops-cycle} row, whatever triggered it: a manual cycle moves
 * that row to now instead of adding a second one, so <b>at most one cycle per tenant runs at a
 * time, cluster-wide</b>, including manual triggers.
 *
 * <p>Cycles fall on stable per-tenant slots spread over the interval. A tenant switched off with
 * {@link #disable} stays off across restarts ({@code ops_schedules}) and the startup scan skips it;
 * it can still be triggered manually, once per request. All methods are safe to call from any
 * process and while the tenant's cycle runs.
 */
public final class OpsScheduler {
  private static final Logger log = LoggerFactory.getLogger(OpsScheduler.class);
  private static final int ATTEMPTS = 5;

  private final BatchRegistration registration;
  private final ScheduleStore store;
  private final ScheduleSlots slots;
  private final Task<OpsCycleJob> task;
  private final SchedulerClient client;
  private final Wakeup wakeup;
  private final Clock clock;

  /**
   * A cycle queued by {@link #runNow}: the run id it will record, whether it waits for a running
   * one, and whether this request joined a cycle an earlier request had already queued.
   */
  public record QueuedCycle(String runId, boolean pending, boolean joined) {}

  /**
   * Wakes this process's queue only when one is registered with {@code wakeup}; {@code clock} is
   * the process's clock, which must be the system clock wherever the queues run (db-scheduler picks
   * due jobs on real time).
   */
  public OpsScheduler(Database db, Config.Scheduling scheduling, TenantRepository tenants, CycleRunner runner,
      Wakeup wakeup, Clock clock) {
    this.clock = clock;
    this.store = new ScheduleStore(db.jdbi(), clock);
    this.slots = new ScheduleSlots(scheduling.cycleInterval());
    this.wakeup = wakeup;
    this.task = new OpsCycleTask(store, runner, slots, wakeup, clock).build();
    this.client = Queues.client(db, JobType.OPS_CYCLE, task);
    this.registration = new BatchRegistration(db, tenants, store, slots, task, client, clock);
  }

  /** The {@link JobType#OPS_CYCLE} task, for {@link Queues}. */
  public Task<?> task() {
    return task;
  }

  /**
   * Makes sure the tenant has its recurring cycle (idempotent; one row whatever the number of
   * calls). Returns false, doing nothing, for a tenant switched off with {@link #disable}.
   */
  public boolean ensureOpsSchedule(String tenantId) {
    if (!store.state(tenantId).enabled()) {
      return false;
    }
    for (int i = 0; i < ATTEMPTS; i++) {
      Optional<ScheduledExecution<Object>> row = client.getScheduledExecution(OpsCycleTask.id(tenantId));
      if (row.isEmpty()) {
        if (client.scheduleIfNotExists(OpsCycleTask.instance(new OpsCycleJob(tenantId, Trigger.SCHEDULE, true, null)),
            slots.next(tenantId, clock.instant()))) {
          log.info("ops schedule created tenant={} interval={}", tenantId, slots.interval());
          return true;
        }
      } else if (row.get().isPicked()) {
        if (requestWhileRunning(tenantId, true)) {
          return true;
        }
      } else {
        OpsCycleJob job = (OpsCycleJob) row.get().getData();
        if (job.recurring() || tryReschedule(row.get(), job.recurringNow().queued(job.trigger(), job.runId()))) {
          return true;
        }
      }
    }
    throw new IllegalStateException("could not ensure the ops schedule of tenant " + tenantId);
  }

  /** Removes the tenant's recurring cycle; a running cycle finishes and no further one starts. */
  public void removeOpsSchedule(String tenantId) {
    for (int i = 0; i < ATTEMPTS; i++) {
      Optional<ScheduledExecution<Object>> row = client.getScheduledExecution(OpsCycleTask.id(tenantId));
      if (row.isEmpty()) {
        return;
      }
      if (row.get().isPicked() ? requestWhileRunning(tenantId, false) : tryCancel(tenantId)) {
        log.info("ops schedule removed tenant={}", tenantId);
        return;
      }
    }
    throw new IllegalStateException("could not remove the ops schedule of tenant " + tenantId);
  }

  /** True when the tenant is switched on and has its recurring cycle. */
  public boolean isOpsEnabled(String tenantId) {
    if (!store.state(tenantId).enabled()) {
      return false;
    }
    return client.getScheduledExecution(OpsCycleTask.id(tenantId))
        .map(row -> ((OpsCycleJob) row.getData()).recurring())
        .orElse(false);
  }

  /**
   * Queues a cycle to start now, on the tenant's single row, and wakes the workers. While the
   * tenant's cycle runs, the request becomes the tenant's one pending cycle, which starts as soon as
   * the running one ends; requests that arrive meanwhile join it. A request finding a cycle already
   * queued for now and not started joins that one too. Never refused: at most one cycle runs and
   * one waits per tenant, whatever the number of requests.
   */
  public QueuedCycle runNow(String tenantId, Trigger trigger) {
    return runNow(tenantId, trigger, Ids.newId());
  }

  /**
   * As {@link #runNow(String, Trigger)}, the cycle recorded under {@code runId} unless the request
   * joins one already queued or pending (then {@link QueuedCycle#joined()}, and its run id): for a
   * caller that must name the review before it is queued (the page of a report).
   */
  public QueuedCycle runNow(String tenantId, Trigger trigger, String runId) {
    String asked = runId;
    for (int i = 0; i < ATTEMPTS; i++) {
      Optional<ScheduledExecution<Object>> row = client.getScheduledExecution(OpsCycleTask.id(tenantId));
      try {
        if (row.isEmpty()) {
          if (client.scheduleIfNotExists(OpsCycleTask.instance(new OpsCycleJob(tenantId, trigger, false, asked)),
              clock.instant())) {
            return queued(tenantId, trigger, asked);
          }
        } else if (row.get().isPicked()) {
          String pending = store.requestCycle(tenantId, trigger, asked);
          if (client.getScheduledExecution(OpsCycleTask.id(tenantId)).map(ScheduledExecution::isPicked)
              .orElse(false)) {
            log.info("ops cycle pending tenant={} trigger={} run={}", tenantId, trigger.wire(), pending);
            return new QueuedCycle(pending, true, !pending.equals(asked));
          }
          // it finished before seeing the request: queue the request ourselves, if still ours to take
          Optional<ScheduleStore.PendingCycle> mine = store.takePending(tenantId).cycle();
          if (mine.isPresent() && queue(tenantId, mine.get().trigger(), mine.get().runId())) {
            return queued(tenantId, mine.get().trigger(), mine.get().runId());
          }
          if (mine.isEmpty()) {
            return new QueuedCycle(pending, false, !pending.equals(asked)); // the finishing cycle queued it
          }
        } else {
          OpsCycleJob job = (OpsCycleJob) row.get().getData();
          if (job.isQueuedCycle() && !row.get().getExecutionTime().isAfter(clock.instant())) {
            return new QueuedCycle(job.runId(), false, true); // already queued for now: join it
          }
          if (client.reschedule(OpsCycleTask.id(tenantId), clock.instant(), job.queued(trigger, asked))) {
            return queued(tenantId, trigger, asked);
          }
        }
      } catch (DbSchedulerException e) {
        log.debug("ops cycle queueing raced, retrying tenant={} reason={}", tenantId, e.toString());
      }
    }
    throw new IllegalStateException("could not queue a cycle of tenant " + tenantId);
  }

  private boolean queue(String tenantId, Trigger trigger, String runId) {
    Optional<ScheduledExecution<Object>> row = client.getScheduledExecution(OpsCycleTask.id(tenantId));
    return row.isEmpty()
        ? client.scheduleIfNotExists(OpsCycleTask.instance(new OpsCycleJob(tenantId, trigger, false, runId)), clock.instant())
        : client.reschedule(OpsCycleTask.id(tenantId), clock.instant(),
            ((OpsCycleJob) row.get().getData()).queued(trigger, runId));
  }

  private QueuedCycle queued(String tenantId, Trigger trigger, String runId) {
    log.info("ops cycle queued tenant={} trigger={} run={}", tenantId, trigger.wire(), runId);
    wakeup.wake(JobType.Queue.OPS_AGENT);
    return new QueuedCycle(runId, false, false);
  }

  /** The tenant's switch, interval and next due time, for {@code GET .../ops/schedule}. */
  public OpsSchedule schedule(String tenantId) {
    ScheduleStore.State state = store.state(tenantId);
    // switched off (even while the cycle that will remove the row still runs): no next run
    boolean recurs = state.enabled() && !Boolean.FALSE.equals(state.pendingRecurring());
    Instant next = !state.enabled() ? null : client.getScheduledExecution(OpsCycleTask.id(tenantId))
        .map(row -> !row.isPicked() ? row.getExecutionTime()
            : ((OpsCycleJob) row.getData()).recurring() && recurs ? slots.next(tenantId, clock.instant()) : null)
        .orElse(null);
    return new OpsSchedule(state.enabled(), slots.interval(), next);
  }

  /** Switches the tenant's recurring cycle on (persisted) and schedules it. */
  public void enable(String tenantId) {
    store.setEnabled(tenantId, true);
    ensureOpsSchedule(tenantId);
  }

  /** Switches the tenant's recurring cycle off (persisted, survives restarts) and removes it. */
  public void disable(String tenantId) {
    store.setEnabled(tenantId, false);
    removeOpsSchedule(tenantId);
  }

  /**
   * The startup scan: every tenant with a deployment that is not STOPPED gets its recurring cycle, except
   * tenants switched off. Pages of 1,000 tenant ids; only the missing rows are inserted, in one
   * transaction per page, so a restart with every tenant registered costs a few reads. Returns how
   * many schedules were created.
   */
  public int scanAndRegister() {
    int created = registration.scan();
    log.info("ops schedules scanned created={}", created);
    return created;
  }

  /** {@link #ensureOpsSchedule} for many tenants at once; returns how many schedules were created. */
  public int ensureOpsSchedules(List<String> tenantIds) {
    return registration.ensure(tenantIds);
  }

  /** Records a change for the running cycle to apply; false if the row changed meanwhile (retry). */
  private boolean requestWhileRunning(String tenantId, boolean recurring) {
    store.setPending(tenantId, recurring);
    boolean stillRunning = client.getScheduledExecution(OpsCycleTask.id(tenantId))
        .map(ScheduledExecution::isPicked)
        .orElse(false);
    if (!stillRunning) {
      store.takePending(tenantId); // it completed before seeing our request: apply it ourselves
    }
    return stillRunning;
  }

  private boolean tryReschedule(ScheduledExecution<Object> row, OpsCycleJob data) {
    try {
      return client.reschedule(OpsCycleTask.id(data.tenantId()), row.getExecutionTime(), data);
    } catch (DbSchedulerException e) {
      return false;
    }
  }

  private boolean tryCancel(String tenantId) {
    try {
      client.cancel(OpsCycleTask.id(tenantId));
      return true;
    } catch (TaskInstanceNotFoundException e) {
      return true;
    } catch (TaskInstanceCurrentlyExecutingException e) {
      return false;
    } catch (DbSchedulerException e) {
      return false;
    }
  }
}
