package io.opsagent.agent.run;

import io.opsagent.db.Ids;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.StatementContext;

/**
 * The audit trail of the agent: every cycle is a row, written {@code running} before any work and
 * finished exactly once ({@code completed} or {@code failed}). Updates only touch a row that is
 * still {@code running}, so a late writer can never overwrite a recorded outcome.
 */
public final class RunRepository {
  private final Jdbi jdbi;

  public RunRepository(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  public OpsRun start(String tenantId, Trigger trigger) {
    OpsRun run = new OpsRun(Ids.newId(), tenantId, RunStatus.RUNNING, trigger, Ids.now(), null,
        null, "[]", 0, 0, 0, null, null);
    jdbi.useHandle(h -> h.createUpdate("""
            INSERT INTO ops_agent_runs (id, tenant_id, status, "trigger", started_at, actions_json,
                input_tokens, output_tokens, steps)
            VALUES (:id, :tenantId, 'running', :trigger, :startedAt, '[]', 0, 0, 0)""")
        .bind("id", run.id())
        .bind("tenantId", tenantId)
        .bind("trigger", trigger.wire())
        .bind("startedAt", run.startedAt())
        .execute());
    return run;
  }

  /** Records the outcome of a running run; false if it was no longer running. */
  public boolean finish(String runId, RunStatus status, String summary, String actionsJson,
      long inputTokens, long outputTokens, int steps, String model, String error) {
    if (status == RunStatus.RUNNING) {
      throw new IllegalArgumentException("a run finishes as completed, failed or skipped");
    }
    return jdbi.withHandle(h -> h.createUpdate("""
            UPDATE ops_agent_runs
            SET status = :status, finished_at = :finishedAt, summary = :summary,
                actions_json = :actionsJson, input_tokens = :inputTokens,
                output_tokens = :outputTokens, steps = :steps, model = :model, error = :error
            WHERE id = :id AND status = 'running'""")
        .bind("id", runId)
        .bind("status", status.wire())
        .bind("finishedAt", Ids.now())
        .bind("summary", truncate(summary, 16000))
        .bind("actionsJson", actionsJson == null ? "[]" : actionsJson)
        .bind("inputTokens", inputTokens)
        .bind("outputTokens", outputTokens)
        .bind("steps", steps)
        .bind("model", model)
        .bind("error", truncate(error, 4000))
        .execute()) == 1;
  }

  /** Records a cycle that was not run at all (e.g. the circuit breaker is open). */
  public OpsRun skipped(String tenantId, Trigger trigger, String reason) {
    Instant now = Ids.now();
    OpsRun run = new OpsRun(Ids.newId(), tenantId, RunStatus.SKIPPED, trigger, now, now, reason,
        "[]", 0, 0, 0, null, null);
    jdbi.useHandle(h -> h.createUpdate("""
            INSERT INTO ops_agent_runs (id, tenant_id, status, "trigger", started_at, finished_at,
                summary, actions_json, input_tokens, output_tokens, steps)
            VALUES (:id, :tenantId, 'skipped', :trigger, :startedAt, :startedAt, :summary, '[]', 0, 0, 0)""")
        .bind("id", run.id())
        .bind("tenantId", tenantId)
        .bind("trigger", trigger.wire())
        .bind("startedAt", now)
        .bind("summary", reason)
        .execute());
    return run;
  }

  /**
   * Marks the tenant's {@code running} rows as failed. Called when a cycle for the tenant starts:
   * db-scheduler guarantees no other cycle of this tenant is alive, so any such row belongs to a
   * worker that died mid-cycle. Returns how many were marked.
   */
  public int failOrphaned(String tenantId, String reason) {
    return jdbi.withHandle(h -> h.createUpdate("""
            UPDATE ops_agent_runs SET status = 'failed', finished_at = :now, error = :error
            WHERE tenant_id = :tenantId AND status = 'running'""")
        .bind("tenantId", tenantId)
        .bind("now", Ids.now())
        .bind("error", reason)
        .execute());
  }

  public Optional<OpsRun> find(String tenantId, String runId) {
    return jdbi.withHandle(h -> h.createQuery(
            "SELECT * FROM ops_agent_runs WHERE id = :id AND tenant_id = :tenantId")
        .bind("id", runId)
        .bind("tenantId", tenantId)
        .map(RunRepository::map)
        .findOne());
  }

  /** The tenant's most recent runs, newest first. */
  public List<OpsRun> recent(String tenantId, int limit) {
    return jdbi.withHandle(h -> h.createQuery("""
            SELECT * FROM ops_agent_runs WHERE tenant_id = :tenantId
            ORDER BY started_at DESC, id DESC LIMIT :limit""")
        .bind("tenantId", tenantId)
        .bind("limit", limit)
        .map(RunRepository::map)
        .list());
  }

  /** When the tenant's latest run other than {@code runId} started, if there is one. */
  public Optional<Instant> previousStart(String tenantId, String runId) {
    return Optional.ofNullable(jdbi.withHandle(h -> h.createQuery("""
            SELECT MAX(started_at) FROM ops_agent_runs
            WHERE tenant_id = :tenantId AND id <> :runId AND status <> 'skipped'""")
        .bind("tenantId", tenantId)
        .bind("runId", runId)
        .mapTo(Instant.class)
        .one()));
  }

  private static OpsRun map(ResultSet rs, StatementContext ctx) throws SQLException {
    return new OpsRun(
        rs.getString("id"),
        rs.getString("tenant_id"),
        RunStatus.fromWire(rs.getString("status")),
        Trigger.fromWire(rs.getString("trigger")),
        instant(rs.getTimestamp("started_at")),
        instant(rs.getTimestamp("finished_at")),
        rs.getString("summary"),
        rs.getString("actions_json"),
        rs.getLong("input_tokens"),
        rs.getLong("output_tokens"),
        rs.getInt("steps"),
        rs.getString("model"),
        rs.getString("error"));
  }

  private static Instant instant(Timestamp ts) {
    return ts == null ? null : ts.toInstant();
  }

  private static String truncate(String s, int max) {
    return s == null || s.length() <= max ? s : s.substring(0, max - 1) + "…";
  }
}
