package io.opsagent.db;

import com.github.kagkarlsson.scheduler.task.helper.RecurringTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import com.github.kagkarlsson.scheduler.task.schedule.Schedules;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes what is older than {@code OPSAGENT_RETENTION}: runs ({@code ops_agent_runs}), deployment
 * events and the delivery log ({@code notifications}). A run still {@code running} and a delivery still
 * {@code pending} are never deleted, whatever their age. Rows go in batches of {@value #BATCH}, each
 * its own short transaction, so a first purge of a large backlog never holds long locks.
 *
 * <p>{@link #task()} runs it daily on a queue: one recurring row per cluster, so one worker purges.
 */
public final class Retention {
  private static final Logger log = LoggerFactory.getLogger(Retention.class);

  /** The recurring task's name in the queue table. */
  public static final String TASK_NAME = "retention";
  static final int BATCH = 1000;

  private final Jdbi jdbi;
  private final Duration keep;
  private final Clock clock;

  public Retention(Jdbi jdbi, Duration keep, Clock clock) {
    this.jdbi = jdbi;
    this.keep = keep;
    this.clock = clock;
  }

  /** How many rows of each kind one purge deleted. */
  public record Deleted(int runs, int events, int deliveries) {}

  /** Deletes everything older than the retention period, now. */
  public Deleted purge() {
    Timestamp cutoff = Timestamp.from(Instant.now(clock).minus(keep));
    int runs = deleteInBatches("ops_agent_runs", "started_at < :cutoff AND status <> 'running'", cutoff);
    int events = deleteInBatches("deployment_events", "created_at < :cutoff", cutoff);
    int deliveries = deleteInBatches("notifications", "created_at < :cutoff AND status <> 'pending'", cutoff);
    return new Deleted(runs, events, deliveries);
  }

  /** Runs {@link #purge()} at the first start of any worker, then a day after each purge. */
  public RecurringTask<Void> task() {
    return Tasks.recurring(TASK_NAME, Schedules.fixedDelay(Duration.ofDays(1)))
        .execute((instance, ctx) -> {
          Deleted d = purge();
          log.info("retention purge done olderThan={} runs={} events={} deliveries={}",
              keep, d.runs(), d.events(), d.deliveries());
        });
  }

  private int deleteInBatches(String table, String condition, Timestamp cutoff) {
    int total = 0;
    while (true) {
      // select then delete by id: portable to the embedded database, and each batch commits alone
      List<String> ids = jdbi.withHandle(h -> h.createQuery(
              "SELECT id FROM " + table + " WHERE " + condition + " LIMIT " + BATCH)
          .bind("cutoff", cutoff)
          .mapTo(String.class)
          .list());
      if (ids.isEmpty()) {
        return total;
      }
      total += jdbi.withHandle(h -> h.createUpdate(
              "DELETE FROM " + table + " WHERE " + condition + " AND id IN (<ids>)")
          .bind("cutoff", cutoff)
          .bindList("ids", ids)
          .execute());
      if (ids.size() < BATCH) {
        return total;
      }
    }
  }
}
