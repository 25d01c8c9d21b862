package io.opsagent.notify.delivery;

import com.github.kagkarlsson.scheduler.task.Execution;
import com.github.kagkarlsson.scheduler.task.ExecutionComplete;
import com.github.kagkarlsson.scheduler.task.ExecutionOperations;
import com.github.kagkarlsson.scheduler.task.FailureHandler.ExponentialBackoffFailureHandler;
import com.github.kagkarlsson.scheduler.task.FailureHandler;
import io.opsagent.notify.Delivery;
import io.opsagent.notify.DeliveryStatus;
import java.time.Duration;
import java.util.function.BiConsumer;

/**
 * What happens to a delivery job after a failed attempt: db-scheduler's
 * {@link ExponentialBackoffFailureHandler} (rate 2, so base, 2×base, 4×base…, capped at
 * {@code OPSAGENT_NOTIFY_MAX_BACKOFF}, so a receiver that comes back is reached within that long),
 * until the attempt's row in the delivery log is {@code failed}: it was retried for
 * {@code OPSAGENT_NOTIFY_GIVE_UP}, or used up the optional {@code OPSAGENT_NOTIFY_MAX_ATTEMPTS}
 * (decided by {@link NotificationRepository#attemptFailed}). Then the job is removed and
 * {@code gaveUp} is told.
 *
 * <p>The backoff is counted on db-scheduler's {@code consecutive_failures} (reset by the
 * success-path reschedule of a busy channel's attempt, which only makes it shorter); whether to
 * give up is decided by the log, which counts exactly the attempts made and is what users see. A
 * failure that is not a recorded attempt (say, the database was unreachable) is retried with the
 * same capped backoff, without limit.
 */
final class DeliveryRetries implements FailureHandler<Void> {

  /** A recorded failed attempt; {@code delivery} is the row as the attempt left it. */
  static final class AttemptFailed extends RuntimeException {
    final transient Delivery delivery;
    final String channelType;

    AttemptFailed(Delivery delivery, String channelType) {
      super("delivery attempt " + delivery.attempts() + " failed: " + delivery.lastError(), null, false, false);
      this.delivery = delivery;
      this.channelType = channelType;
    }
  }

  private final int maxDoublings;
  private final ExponentialBackoffFailureHandler<Void> backoff;
  private final BiConsumer<Delivery, String> gaveUp;

  DeliveryRetries(Duration base, Duration cap, BiConsumer<Delivery, String> gaveUp) {
    this.backoff = new ExponentialBackoffFailureHandler<>(base, 2.0);
    int doublings = 0;
    while (doublings < 30 && base.multipliedBy(1L << (doublings + 1)).compareTo(cap) <= 0) {
      doublings++;
    }
    this.maxDoublings = doublings;
    this.gaveUp = gaveUp;
  }

  @Override
  public void onFailure(ExecutionComplete complete, ExecutionOperations<Void> ops) {
    if (complete.getCause().orElse(null) instanceof AttemptFailed failed
        && failed.delivery.status() == DeliveryStatus.FAILED) {
      ops.stop();
      gaveUp.accept(failed.delivery, failed.channelType);
      return;
    }
    int failures = complete.getExecution().consecutiveFailures;
    backoff.onFailure(withFailuresBefore(complete, Math.min(failures, maxDoublings)), ops);
  }

  /** The same completed execution, as if {@code failures} attempts had failed before this one. */
  private static ExecutionComplete withFailuresBefore(ExecutionComplete complete, int failures) {
    Execution e = complete.getExecution();
    Execution counted = new Execution(e.executionTime, e.taskInstance, e.picked, e.pickedBy,
        e.lastSuccess, e.lastFailure, failures, e.lastHeartbeat, e.version);
    return ExecutionComplete.failure(counted, complete.getTimeDone().minus(complete.getDuration()),
        complete.getTimeDone(), complete.getCause().orElse(null));
  }
}
