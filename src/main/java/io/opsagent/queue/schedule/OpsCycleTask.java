package io.opsagent.queue.schedule;

import com.github.kagkarlsson.scheduler.SchedulerClient;
import com.github.kagkarlsson.scheduler.exceptions.DbSchedulerException;
import com.github.kagkarlsson.scheduler.task.CompletionHandler;
import com.github.kagkarlsson.scheduler.task.ExecutionComplete;
import com.github.kagkarlsson.scheduler.task.ExecutionContext;
import com.github.kagkarlsson.scheduler.task.ExecutionOperations;
import com.github.kagkarlsson.scheduler.task.FailureHandler;
import com.github.kagkarlsson.scheduler.task.TaskInstance;
import com.github.kagkarlsson.scheduler.task.TaskInstanceId;
import com.github.kagkarlsson.scheduler.task.helper.CustomTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import io.opsagent.queue.JobType;
import io.opsagent.queue.Wakeup;
import java.time.Clock;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The {@code ops-cycle} task: one row per tenant, so db-scheduler's pick of that row is the
 * queue's guarantee that a tenant's scheduled cycles never overlap (the loop's {@link TenantCycleLock}
 * also keeps out cycles started elsewhere, e.g. by the CLI, and sweeps orphaned runs under it). Each
 * execution runs the cycle, then either moves the row to the tenant's next slot or removes it
 * (schedule removed or switched off, or a one-off manual cycle).
 *
 * <p>A cycle that throws (the database failed it midway) is run again {@link #FAILED_RETRY} later
 * with the same job, up to {@link #MAX_FAILED_RETRIES} times in a row; one whose completion cannot
 * be written (the database is still down) stays picked and is revived as dead by db-scheduler once
 * the database is back. Either way the retry carries the job's run id, and the agent runs it without
 * tripping over the run row the first attempt left behind.
 */
final class OpsCycleTask {
  private static final Logger log = LoggerFactory.getLogger(OpsCycleTask.class);
  /** How soon a queued cycle is tried again when another process (the CLI) holds the tenant. */
  static final Duration BUSY_RETRY = Duration.ofSeconds(2);
  /**
   * How soon a cycle that threw (the database failed it midway, say) is tried again, with the same
   * job (its trigger and run id), while it has failed fewer than {@link #MAX_FAILED_RETRIES} times
   * in a row; a job revived as dead counts as one failure.
   */
  static final Duration FAILED_RETRY = Duration.ofSeconds(5);
  static final int MAX_FAILED_RETRIES = 3;

  private final ScheduleStore store;
  private final CycleRunner runner;
  private final ScheduleSlots slots;
  private final Wakeup wakeup;
  private final Clock clock;

  OpsCycleTask(ScheduleStore store, CycleRunner runner, ScheduleSlots slots, Wakeup wakeup, Clock clock) {
    this.clock = clock;
    this.store = store;
    this.runner = runner;
    this.slots = slots;
    this.wakeup = wakeup;
  }

  CustomTask<OpsCycleJob> build() {
    return Tasks.custom(JobType.OPS_CYCLE.taskName(), OpsCycleJob.class)
        // only reached if our own bookkeeping throws: tried again soon, then a recurring row tries
        // again at its next slot
        .onFailure((FailureHandler<OpsCycleJob>) (complete, ops) -> {
          OpsCycleJob job = (OpsCycleJob) complete.getExecution().taskInstance.getData();
          if (complete.getExecution().consecutiveFailures < MAX_FAILED_RETRIES) {
            ops.reschedule(complete, clock.instant().plus(FAILED_RETRY), job);
          } else if (job.recurring()) {
            ops.reschedule(complete, slots.next(job.tenantId(), clock.instant()), job.recurringNow());
          } else {
            ops.remove();
          }
        })
        .onDeadExecutionRevive()
        .execute(this::execute);
  }

  private CompletionHandler<OpsCycleJob> execute(TaskInstance<OpsCycleJob> instance, ExecutionContext ctx) {
    OpsCycleJob job = instance.getData();
    SchedulerClient client = ctx.getSchedulerClient();
    boolean recur = wantsRecurring(job, store.state(job.tenantId()));
    if (job.trigger() == Trigger.SCHEDULE && !recur) {
      log.info("ops cycle not run: schedule removed or disabled tenant={}", job.tenantId());
      return (complete, ops) -> finish(job, recur, complete, ops, client);
    }
    int failures = ctx.getExecution().consecutiveFailures;
    if (failures > 0) {
      // revived as dead (its worker stopped heartbeating) or retried after an error
      log.info("ops cycle retried: its last execution did not complete tenant={} trigger={} run={}"
          + " consecutiveFailures={}", job.tenantId(), job.trigger().wire(), job.runId(), failures);
    }
    MDC.put("tenant", job.tenantId());
    try {
      if (runner.runCycle(job.tenantId(), job.trigger(), job.runId()) == CycleRunner.Result.BUSY
          && job.trigger() != Trigger.SCHEDULE) {
        log.info("ops cycle deferred: another process runs this tenant's cycle tenant={} run={} retryIn={}",
            job.tenantId(), job.runId(), BUSY_RETRY);
        return (complete, ops) -> ops.reschedule(complete, clock.instant().plus(BUSY_RETRY), job);
      }
    } catch (RuntimeException e) {
      boolean retry = failures < MAX_FAILED_RETRIES;
      log.error("ops cycle failed tenant={} trigger={} run={} retryIn={} error={}", job.tenantId(),
          job.trigger().wire(), job.runId(), retry ? FAILED_RETRY : "none", e.toString(), e);
      if (retry) {
        // the same job again soon: the run it left running is found under the tenant's lock then
        return (complete, ops) -> ops.reschedule(ExecutionComplete.failure(complete.getExecution(),
            complete.getTimeDone().minus(complete.getDuration()), complete.getTimeDone(), e),
            clock.instant().plus(FAILED_RETRY), job);
      }
    } finally {
      MDC.remove("tenant");
    }
    return (complete, ops) -> finish(job, recur, complete, ops, client);
  }

  /**
   * Moves the row on or removes it, as the tenant's state read when the cycle started says, then
   * applies what was requested meanwhile: a change of the recurring state, and the one cycle asked
   * for while this one ran (queued for now). The requester writes its request before looking at the
   * row, we change the row before looking for a request, so one of the two always sees the other.
   */
  private void finish(OpsCycleJob job, boolean recur, ExecutionComplete complete,
      ExecutionOperations<OpsCycleJob> ops, SchedulerClient client) {
    String tenant = job.tenantId();
    if (recur) {
      ops.reschedule(complete, slots.next(tenant, clock.instant()), job.recurringNow());
    } else {
      ops.remove();
    }
    ScheduleStore.Pending pending = store.takePending(tenant);
    boolean recurNow = recur;
    if (pending.recurring().isPresent()
        && (pending.recurring().get() && store.state(tenant).enabled()) != recur) {
      recurNow = !recur;
      try {
        if (recur) {
          client.cancel(id(tenant));
        } else {
          client.scheduleIfNotExists(instance(job.recurringNow()), slots.next(tenant, clock.instant()));
        }
      } catch (DbSchedulerException e) {
        // picked again meanwhile: the next execution sees the state and stops itself
        log.debug("late schedule change deferred tenant={} reason={}", tenant, e.toString());
      }
    }
    if (pending.cycle().isPresent()) {
      queuePending(tenant, pending.cycle().get(), recurNow, client);
    }
  }

  /** The cycle asked for while the last one ran starts now, on the tenant's single row. */
  private void queuePending(String tenant, ScheduleStore.PendingCycle c, boolean recurring,
      SchedulerClient client) {
    OpsCycleJob next = new OpsCycleJob(tenant, c.trigger(), recurring, c.runId());
    try {
      boolean queued = recurring ? client.reschedule(id(tenant), clock.instant(), next)
          : client.scheduleIfNotExists(instance(next), clock.instant());
      if (!queued && recurring) {
        client.scheduleIfNotExists(instance(next), clock.instant());
      }
      log.info("pending ops cycle queued tenant={} trigger={} run={}", tenant, c.trigger().wire(), c.runId());
      wakeup.wake(JobType.Queue.OPS_AGENT);
    } catch (DbSchedulerException e) {
      log.warn("pending ops cycle not queued tenant={} run={} error={}", tenant, c.runId(), e.toString());
    }
  }

  static TaskInstance<OpsCycleJob> instance(OpsCycleJob job) {
    return new TaskInstance<>(JobType.OPS_CYCLE.taskName(), job.tenantId(), job);
  }

  static TaskInstanceId id(String tenantId) {
    return TaskInstanceId.of(JobType.OPS_CYCLE.taskName(), tenantId);
  }

  private static boolean wantsRecurring(OpsCycleJob job, ScheduleStore.State state) {
    boolean registered = state.pendingRecurring() != null ? state.pendingRecurring() : job.recurring();
    return state.enabled() && registered;
  }
}
