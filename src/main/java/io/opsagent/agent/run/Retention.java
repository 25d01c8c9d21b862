package io.opsagent.agent.run;

import com.github.kagkarlsson.scheduler.task.helper.RecurringTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import com.github.kagkarlsson.scheduler.task.schedule.Schedules;
import io.opsagent.db.Times;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes what is older than {@code OPSAGENT_RETENTION}: runs ({@code ops_agent_runs}), deployment
 * events and the delivery log ({@code notifications}). A run still {@code running} and a delivery still
 * {@code pending} are never deleted, whatever their age. Rows go in batches of {@value #BATCH}, each
 * its own short transaction, so a first purge of a large backlog never holds long locks.
 *
 * <p>Runs in a tenant's audit chain go oldest first, in chain order ({@code finished_at}, then id), and
 * only once finished before the cutoff, so what is deleted is always the start of the chain; in the
 * same transaction the last deleted run's {@code chainHash} becomes the tenant's audit checkpoint
 * ({@code ops_audit_checkpoints}), from which {@code audit verify} starts: the remaining chain still
 * verifies, and altering a remaining run is still detected. The checkpoint counts the runs deleted
 * so far, so checkpoint count plus remaining runs is still the count of the tenant's audit head, and
 * is signed under {@code OPSAGENT_AUDIT_KEY} when set (a checkpoint forged to pass a deletion off as
 * retention fails its signature).
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
  private final AuditKeys keys;

  /** Retention whose checkpoints are unsigned (no {@code OPSAGENT_AUDIT_KEY}). */
  public Retention(Jdbi jdbi, Duration keep, Clock clock) {
    this(jdbi, keep, clock, AuditKeys.NONE);
  }

  /** Retention signing its checkpoints under {@code keys}' current key, when it has one. */
  public Retention(Jdbi jdbi, Duration keep, Clock clock, AuditKeys keys) {
    this.jdbi = jdbi;
    this.keep = keep;
    this.clock = clock;
    this.keys = keys;
  }

  /** How many rows of each kind one purge deleted. */
  public record Deleted(int runs, int events, int deliveries) {}

  /** Deletes everything older than the retention period, now. */
  public Deleted purge() {
    Timestamp cutoff = Timestamp.from(Instant.now(clock).minus(keep));
    int runs = deleteChainedRuns(cutoff)
        + deleteInBatches("ops_agent_runs", "started_at < :cutoff AND status <> 'running' AND chain_hash IS NULL",
            cutoff);
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

  private record Chained(String id, String tenantId, String chainHash, Timestamp finishedAt) {}

  /** Deletes chained runs finished before the cutoff, moving each tenant's checkpoint along in the same batch. */
  private int deleteChainedRuns(Timestamp cutoff) {
    int total = 0;
    while (true) {
      int deleted = jdbi.inTransaction(h -> {
        List<Chained> batch = h.createQuery("""
                SELECT id, tenant_id, chain_hash, finished_at FROM ops_agent_runs
                WHERE chain_hash IS NOT NULL AND finished_at < :cutoff
                ORDER BY tenant_id, finished_at, id LIMIT""" + " " + BATCH)
            .bind("cutoff", cutoff)
            .map((rs, ctx) -> new Chained(rs.getString("id"), rs.getString("tenant_id"),
                rs.getString("chain_hash"), rs.getTimestamp("finished_at")))
            .list();
        Map<String, Chained> lastOfTenant = new LinkedHashMap<>();
        Map<String, Integer> deletedOfTenant = new LinkedHashMap<>();
        batch.forEach(c -> {
          lastOfTenant.put(c.tenantId(), c); // in chain order: the last one stays
          deletedOfTenant.merge(c.tenantId(), 1, Integer::sum);
        });
        for (Chained last : lastOfTenant.values()) {
          long count = h.createQuery("SELECT run_count FROM ops_audit_checkpoints WHERE tenant_id = :tenantId")
              .bind("tenantId", last.tenantId()).mapTo(Long.class).findOne().orElse(0L)
              + deletedOfTenant.get(last.tenantId());
          Instant finishedAt = Times.instant(last.finishedAt());
          String keyId = keys.current().map(AuditKeys::id).orElse(null);
          String signature = keys.current().map(k -> AuditKeys.hmacHex(k,
              RunChain.checkpointText(last.tenantId(), count, last.chainHash(), finishedAt))).orElse(null);
          int updated = h.createUpdate("""
                  UPDATE ops_audit_checkpoints SET chain_hash = :hash, finished_at = :finishedAt,
                      run_count = :count, key_id = :keyId, signature = :signature
                  WHERE tenant_id = :tenantId""")
              .bind("tenantId", last.tenantId()).bind("hash", last.chainHash())
              .bind("finishedAt", finishedAt).bind("count", count).bind("keyId", keyId)
              .bind("signature", signature).execute();
          if (updated == 0) {
            h.createUpdate("""
                    INSERT INTO ops_audit_checkpoints (tenant_id, chain_hash, finished_at, run_count, key_id,
                        signature)
                    VALUES (:tenantId, :hash, :finishedAt, :count, :keyId, :signature)""")
                .bind("tenantId", last.tenantId()).bind("hash", last.chainHash())
                .bind("finishedAt", finishedAt).bind("count", count).bind("keyId", keyId)
                .bind("signature", signature).execute();
          }
        }
        return batch.isEmpty() ? 0 : h.createUpdate("DELETE FROM ops_agent_runs WHERE id IN (<ids>)")
            .bindList("ids", batch.stream().map(Chained::id).toList())
            .execute();
      });
      total += deleted;
      if (deleted < BATCH) {
        return total;
      }
    }
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
