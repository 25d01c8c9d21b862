package io.opsagent.queue.schedule;

import io.opsagent.db.Database;
import io.opsagent.db.Times;
import io.opsagent.queue.JobType;
import java.time.Clock;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * The {@code ops_schedules} table: the tenant's switch ({@code enabled}, absent = enabled), the
 * change of its recurring state requested while its cycle ran ({@code pending_recurring}), and the
 * one cycle asked for while its cycle ran ({@code pending_trigger}, {@code pending_run_id}): events
 * and manual triggers during a cycle collapse into that one pending cycle, sharing its run id.
 */
final class ScheduleStore {
  /** A tenant's row; a tenant without one is enabled with nothing pending. */
  record State(boolean enabled, Boolean pendingRecurring) {}

  /** A cycle asked for while the tenant's cycle ran. */
  record PendingCycle(Trigger trigger, String runId) {}

  /** What was pending when the running cycle finished (each part may be absent). */
  record Pending(Optional<Boolean> recurring, Optional<PendingCycle> cycle) {}

  private final Jdbi jdbi;
  private final Clock clock;

  ScheduleStore(Jdbi jdbi, Clock clock) {
    this.clock = clock;
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
    upsert(tenantId, "enabled", enabled);
  }

  void setPending(String tenantId, boolean recurring) {
    upsert(tenantId, "pending_recurring", recurring);
  }

  /**
   * Asks for one cycle after the running one: the first request sets it, later ones join it.
   * Returns the pending cycle's run id.
   */
  String requestCycle(String tenantId, Trigger trigger, String runId) {
    return jdbi.inTransaction(h -> {
      upsert(h, tenantId, "enabled", null);
      h.createUpdate("""
              UPDATE ops_schedules SET pending_trigger = :trigger, pending_run_id = :runId, updated_at = :now
              WHERE tenant_id = :t AND pending_run_id IS NULL""")
          .bind("t", tenantId)
          .bind("trigger", trigger.wire())
          .bind("runId", runId)
          .bind("now", Times.current(clock))
          .execute();
      return h.createQuery("SELECT pending_run_id FROM ops_schedules WHERE tenant_id = :t")
          .bind("t", tenantId)
          .mapTo(String.class)
          .one();
    });
  }

  /**
   * Reads and clears what is pending; one read when nothing is (every cycle). Each part is cleared
   * only if unchanged since read, so of two takers only one gets it.
   */
  Pending takePending(String tenantId) {
    record Row(Boolean recurring, String trigger, String runId) {}
    Optional<Row> row = jdbi.withHandle(h -> h.createQuery(
            "SELECT pending_recurring, pending_trigger, pending_run_id FROM ops_schedules WHERE tenant_id = :t")
        .bind("t", tenantId)
        .map((rs, ctx) -> new Row((Boolean) rs.getObject(1), rs.getString(2), rs.getString(3)))
        .findOne());
    if (row.isEmpty() || (row.get().recurring() == null && row.get().runId() == null)) {
      return new Pending(Optional.empty(), Optional.empty());
    }
    Row r = row.get();
    Optional<Boolean> recurring = Optional.ofNullable(r.recurring()).filter(v -> jdbi.withHandle(h -> h.createUpdate(
            "UPDATE ops_schedules SET pending_recurring = NULL WHERE tenant_id = :t AND pending_recurring = :v")
        .bind("t", tenantId)
        .bind("v", v)
        .execute()) == 1);
    Optional<PendingCycle> cycle = Optional.ofNullable(r.runId()).filter(id -> jdbi.withHandle(h -> h.createUpdate("""
            UPDATE ops_schedules SET pending_trigger = NULL, pending_run_id = NULL
            WHERE tenant_id = :t AND pending_run_id = :id""")
        .bind("t", tenantId)
        .bind("id", id)
        .execute()) == 1).map(id -> new PendingCycle(Trigger.fromWire(r.trigger()), id));
    return new Pending(recurring, cycle);
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

  private void upsert(String tenantId, String column, Boolean value) {
    jdbi.useHandle(h -> upsert(h, tenantId, column, value));
  }

  /**
   * Sets {@code column} (when {@code value} is not null) of the tenant's row, creating the row
   * (enabled, nothing pending) if missing: {@code INSERT … ON CONFLICT} on PostgreSQL, {@code MERGE}
   * on HSQLDB, both safe when two processes create the row at once.
   */
  private void upsert(Handle h, String tenantId, String column, Boolean value) {
    String set = value == null ? "updated_at = :now" : column + " = :v, updated_at = :now";
    String insertEnabled = "enabled".equals(column) && value != null ? ":v" : "TRUE";
    String insertPending = "pending_recurring".equals(column) ? ":v" : "NULL";
    String sql = Database.embedded(h) ? """
        MERGE INTO ops_schedules s USING (VALUES (CAST(:t AS VARCHAR(36)))) AS k (tenant_id)
        ON s.tenant_id = k.tenant_id
        WHEN MATCHED THEN UPDATE SET %s
        WHEN NOT MATCHED THEN INSERT (tenant_id, enabled, pending_recurring, updated_at)
            VALUES (k.tenant_id, %s, %s, :now)""".formatted(set, insertEnabled, insertPending) : """
        INSERT INTO ops_schedules AS s (tenant_id, enabled, pending_recurring, updated_at)
        VALUES (:t, %s, %s, :now)
        ON CONFLICT (tenant_id) DO UPDATE SET %s""".formatted(insertEnabled, insertPending, set);
    var update = h.createUpdate(sql).bind("t", tenantId).bind("now", Times.current(clock));
    if (value != null) {
      update.bind("v", value);
    }
    update.execute();
  }
}
