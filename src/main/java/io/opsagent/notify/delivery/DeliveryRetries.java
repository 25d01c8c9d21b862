package io.opsagent.notify.delivery;

import com.github.kagkarlsson.scheduler.task.Execution;
import com.github.kagkarlsson.scheduler.task.ExecutionComplete;
import com.github.kagkarlsson.scheduler.task.ExecutionOperations;
import com.github.kagkarlsson.scheduler.task.FailureHandler.ExponentialBackoffFailureHandler;
import com.github.kagkarlsson.scheduler.task.FailureHandler.MaxRetriesFailureHandler;
import com.github.kagkarlsson.scheduler.task.FailureHandler;
import io.opsagent.notify.Delivery;
import java.time.Duration;
import java.util.function.BiConsumer;

/**
 * What happens to a delivery job after a failed attempt: db-scheduler's
 * {@link MaxRetriesFailureHandler} around its {@link ExponentialBackoffFailureHandler} (rate 2, so
 * base, 2×base, 4×base…, capped), counting the attempts recorded in the delivery log.
 *
 * <p>Why the log's count and not db-scheduler's {@code consecutive_failures}: that counter is reset
 * by the success-path reschedule of a busy channel's attempt, and raised by a revived dead
 * execution that may never have sent anything; the log counts exactly the attempts made, and is
 * what users see. A failure that is not a recorded attempt (say, the database was unreachable) is
 * retried with the same capped backoff on db-scheduler's own count, without limit.
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

  private final int maxAttempts;
  private final int maxDoublings;
  private final ExponentialBackoffFailureHandler<Void> backoff;
  private final BiConsumer<Delivery, String> gaveUp;

  DeliveryRetries(int maxAttempts, Duration base, Duration cap, BiConsumer<Delivery, String> gaveUp) {
    this.maxAttempts = maxAttempts;
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
    if (!(complete.getCause().orElse(null) instanceof AttemptFailed failed)) {
      cappedBackoff(complete, ops);
      return;
    }
    new MaxRetriesFailureHandler<Void>(maxAttempts - 1, this::cappedBackoff,
        (c, o) -> gaveUp.accept(failed.delivery, failed.channelType))
        .onFailure(withFailuresBefore(complete, failed.delivery.attempts() - 1), ops);
  }

  private void cappedBackoff(ExecutionComplete complete, ExecutionOperations<Void> ops) {
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
