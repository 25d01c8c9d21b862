package io.opsagent.queue.schedule;

import io.opsagent.db.Ids;
import io.opsagent.queue.JobType;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;

/**
 * The {@code ops_schedules} table: the tenant's switch ({@code enabled}, absent = enabled) and the
 * change of its recurring state requested while its cycle ran ({@code pending_recurring}).
 */
final class ScheduleStore {
  /** A tenant's row; a tenant without one is {@code State(true, null)}. */
  record State(boolean enabled, Boolean pendingRecurring) {}

  private final Jdbi jdbi;

  ScheduleStore(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  State state(String tenantId) {
    return jdbi.withHandle(h -> h.createQuery(
            "SELECT enabled, pending_recurring FROM ops_schedules WHERE tenant_id = :t")
        .bind("t", tenantId)
        .map((rs, ctx) -> new State(rs.getBoolean(1), (Boolean) rs.getObject(2)))
        .findOne()
        .orElse(new State(true, null)));
  }

  void setEnabled(String tenantId, boolean enabled) {
    upsert(tenantId, "enabled = :v", enabled, enabled, null);
  }

  void setPending(String tenantId, boolean recurring) {
    upsert(tenantId, "pending_recurring = :v", recurring, true, recurring);
  }

  /** Reads and clears the pending change, if any; one read when there is none (every cycle). */
  Optional<Boolean> takePending(String tenantId) {
    Optional<Boolean> pending = jdbi.withHandle(h -> h.createQuery(
            "SELECT pending_recurring FROM ops_schedules WHERE tenant_id = :t")
        .bind("t", tenantId)
        .map((rs, ctx) -> Optional.ofNullable((Boolean) rs.getObject(1)))
        .findOne()
        .orElse(Optional.empty()));
    pending.ifPresent(v -> jdbi.useHandle(h -> h.createUpdate(
            "UPDATE ops_schedules SET pending_recurring = NULL WHERE tenant_id = :t AND pending_recurring = :v")
        .bind("t", tenantId)
        .bind("v", v)
        .execute()));
    return pending;
  }

  /**
   * Of {@code sortedIds} (ascending), those switched off or already holding an {@code ops-cycle}
   * row. Two index range scans over [first, last]: an IN list of 1,000 parameters would be compared
   * row by row against a large table. (Should the database order ids differently, a row missed here
   * makes the page's batch fail as a duplicate, and the caller falls back to one by one.)
   */
  Set<String> disabledOrScheduled(List<String> sortedIds) {
    if (sortedIds.isEmpty()) {
      return Set.of();
    }
    String first = sortedIds.get(0);
    String last = sortedIds.get(sortedIds.size() - 1);
    return jdbi.withHandle(h -> {
      Set<String> out = new HashSet<>(h.createQuery("""
              SELECT tenant_id FROM ops_schedules
              WHERE tenant_id >= :first AND tenant_id <= :last AND enabled = FALSE""")
          .bind("first", first).bind("last", last)
          .mapTo(String.class)
          .list());
      out.addAll(h.createQuery("SELECT task_instance FROM " + JobType.OPS_CYCLE.queue().table()
              + " WHERE task_name = :task AND task_instance >= :first AND task_instance <= :last")
          .bind("task", JobType.OPS_CYCLE.taskName())
          .bind("first", first).bind("last", last)
          .mapTo(String.class)
          .list());
      return out;
    });
  }

  private void upsert(String tenantId, String assignment, boolean value, boolean enabledIfNew,
      Boolean pendingIfNew) {
    for (int attempt = 0; ; attempt++) {
      try {
        jdbi.useTransaction(h -> {
          if (update(h, tenantId, assignment, value) == 0) {
            h.createUpdate("""
                    INSERT INTO ops_schedules (tenant_id, enabled, pending_recurring, updated_at)
                    VALUES (:t, :enabled, :pending, :now)""")
                .bind("t", tenantId)
                .bind("enabled", enabledIfNew)
                .bind("pending", pendingIfNew)
                .bind("now", Ids.now())
                .execute();
          }
        });
        return;
      } catch (UnableToExecuteStatementException e) {
        if (attempt >= 2) {
          throw e; // not a lost insert race: an unknown tenant or a database failure
        }
      }
    }
  }

  private static int update(Handle h, String tenantId, String assignment, boolean value) {
    return h.createUpdate("UPDATE ops_schedules SET " + assignment + ", updated_at = :now WHERE tenant_id = :t")
        .bind("t", tenantId)
        .bind("v", value)
        .bind("now", Ids.now())
        .execute();
  }
}
