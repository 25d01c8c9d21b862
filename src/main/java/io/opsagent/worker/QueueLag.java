package io.opsagent.worker;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.opsagent.queue.JobType;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code opsagent.queue.lag} (seconds, by queue): how long the oldest due job of each queue has been
 * waiting to be picked; 0 when nothing is overdue. A lag growing past the poll interval means the
 * workers cannot keep up (too few of them, or {@code OPSAGENT_OPS_CONCURRENCY} too low). Read on
 * each scrape with one indexed query per queue; a failed read reports NaN rather than a guess.
 */
final class QueueLag {
  private static final Logger log = LoggerFactory.getLogger(QueueLag.class);

  private QueueLag() {}

  static void register(MeterRegistry registry, Jdbi jdbi, Clock clock) {
    for (JobType.Queue queue : JobType.Queue.values()) {
      Gauge.builder("opsagent.queue.lag", () -> lagSeconds(jdbi, queue, clock))
          .tag("queue", queue.queueName())
          .baseUnit("seconds")
          .description("age of the oldest due, unpicked job of the queue")
          .register(registry);
    }
  }

  static double lagSeconds(Jdbi jdbi, JobType.Queue queue, Clock clock) {
    Instant now = clock.instant();
    try {
      return jdbi.withHandle(h -> h.createQuery("SELECT MIN(execution_time) FROM " + queue.table()
                  + " WHERE picked = FALSE AND execution_time <= :now")
              .bind("now", now)
              .mapTo(Instant.class)
              .findOne())
          .map(oldest -> Duration.between(oldest, now).toMillis() / 1000.0)
          .orElse(0.0);
    } catch (RuntimeException e) {
      log.warn("queue lag not measured queue={} error={}", queue.queueName(), e.toString());
      return Double.NaN;
    }
  }
}
