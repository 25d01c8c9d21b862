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
import io.opsagent.agent.run.Trigger;
import io.opsagent.queue.JobType;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The {@code ops-cycle} task: one row per tenant, so db-scheduler's pick of that row is the
 * queue's guarantee that a tenant's scheduled cycles never overlap (the loop's {@link TenantCycleLock}
 * also keeps out cycles started elsewhere, e.g. by the CLI, and sweeps orphaned runs under it). Each
 * execution runs the cycle, then either moves the row to the tenant's next slot or removes it
 * (schedule removed or switched off, or a one-off manual cycle).
 */
final class OpsCycleTask {
  private static final Logger log = LoggerFactory.getLogger(OpsCycleTask.class);

  private final ScheduleStore store;
  private final CycleRunner runner;
  private final ScheduleSlots slots;

  OpsCycleTask(ScheduleStore store, CycleRunner runner, ScheduleSlots slots) {
    this.store = store;
    this.runner = runner;
    this.slots = slots;
  }

  CustomTask<OpsCycleJob> build() {
    return Tasks.custom(JobType.OPS_CYCLE.taskName(), OpsCycleJob.class)
        // only reached if our own bookkeeping throws: a recurring row tries again at its next slot
        .onFailure((FailureHandler<OpsCycleJob>) (complete, ops) -> {
          OpsCycleJob job = (OpsCycleJob) complete.getExecution().taskInstance.getData();
          if (job.recurring()) {
            ops.reschedule(complete, slots.next(job.tenantId(), Instant.now()), job.recurringNow());
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
    MDC.put("tenant", job.tenantId());
    try {
      runner.runCycle(job.tenantId(), job.trigger());
    } catch (RuntimeException e) {
      log.error("ops cycle failed tenant={} trigger={} error={}", job.tenantId(), job.trigger().wire(),
          e.toString(), e);
    } finally {
      MDC.remove("tenant");
    }
    return (complete, ops) -> finish(job, recur, complete, ops, client);
  }

  /**
   * Moves the row on or removes it, as the tenant's state read when the cycle started says, then
   * applies a change requested meanwhile: the requester writes its change before looking at the
   * row, we change the row before looking for a change, so one of the two always sees the other.
   */
  private void finish(OpsCycleJob job, boolean recur, ExecutionComplete complete,
      ExecutionOperations<OpsCycleJob> ops, SchedulerClient client) {
    String tenant = job.tenantId();
    if (recur) {
      ops.reschedule(complete, slots.next(tenant, Instant.now()), job.recurringNow());
    } else {
      ops.remove();
    }
    Optional<Boolean> late = store.takePending(tenant);
    if (late.isEmpty() || (late.get() && store.state(tenant).enabled()) == recur) {
      return;
    }
    try {
      if (recur) {
        client.cancel(id(tenant));
      } else {
        client.scheduleIfNotExists(instance(job.recurringNow()), slots.next(tenant, Instant.now()));
      }
    } catch (DbSchedulerException e) {
      // picked again meanwhile: the next execution sees the state and stops itself
      log.debug("late schedule change deferred tenant={} reason={}", tenant, e.toString());
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
