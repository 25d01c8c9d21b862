package io.opsagent.action;

import io.opsagent.db.Times;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.StatementContext;

/**
 * The {@code ops_actions} table: every admitted action and its outcome. Status changes are guarded
 * by the status they leave, so of two racing writers (two workers, an event and the deadline) exactly
 * one moves an action on and the other sees that it lost.
 */
public final class ActionRepository {
  private final Jdbi jdbi;
  private final Clock clock;

  public ActionRepository(Jdbi jdbi, Clock clock) {
    this.clock = clock;
    this.jdbi = jdbi;
  }

  void insert(Handle h, OpsAction a) {
    h.createUpdate("""
            INSERT INTO ops_actions (id, tenant_id, workspace_id, deployment_id, action, to_version,
                reason, run_id, status, attempts, requested_at, updated_at)
            VALUES (:id, :tenantId, :workspaceId, :deploymentId, :action, :toVersion,
                :reason, :runId, :status, 0, :requestedAt, :requestedAt)""")
        .bind("id", a.id()).bind("tenantId", a.tenantId()).bind("workspaceId", a.workspaceId())
        .bind("deploymentId", a.deploymentId()).bind("action", a.action().wire())
        .bind("toVersion", a.toVersion()).bind("reason", a.reason()).bind("runId", a.runId())
        .bind("status", a.status().wire()).bind("requestedAt", a.requestedAt())
        .execute();
  }

  public Optional<OpsAction> find(String id) {
    return jdbi.withHandle(h -> h.createQuery("SELECT * FROM ops_actions WHERE id = :id")
        .bind("id", id).map(ActionRepository::map).findOne());
  }

  /** The tenant's actions, newest first. */
  public List<OpsAction> list(String tenantId, int limit) {
    return jdbi.withHandle(h -> h.createQuery("""
            SELECT * FROM ops_actions WHERE tenant_id = :tenantId
            ORDER BY requested_at DESC, id DESC LIMIT :limit""")
        .bind("tenantId", tenantId).bind("limit", limit).map(ActionRepository::map).list());
  }

  /** Counts one more attempt to send a queued action; empty if it is no longer queued. */
  Optional<Integer> startAttempt(String id) {
    return jdbi.withHandle(h -> {
      int n = h.createUpdate("""
              UPDATE ops_actions SET attempts = attempts + 1, updated_at = :now
              WHERE id = :id AND status = 'queued'""")
          .bind("id", id).bind("now", Times.current(clock)).execute();
      return n == 0 ? Optional.empty() : h.createQuery("SELECT attempts FROM ops_actions WHERE id = :id")
          .bind("id", id).mapTo(Integer.class).findOne();
    });
  }

  void recordError(String id, String error) {
    jdbi.useHandle(h -> h.createUpdate(
            "UPDATE ops_actions SET last_error = :error, updated_at = :now WHERE id = :id")
        .bind("id", id).bind("error", cap(error)).bind("now", Times.current(clock)).execute());
  }

  /** queued → sent; false if another writer moved it first. */
  boolean markSent(Handle h, String id, Instant at) {
    return h.createUpdate("""
            UPDATE ops_actions SET status = 'sent', sent_at = :at, last_error = NULL, updated_at = :at
            WHERE id = :id AND status = 'queued'""")
        .bind("id", id).bind("at", at).execute() == 1;
  }

  /** Moves the action from {@code from} to the final {@code to}; false if it was not in {@code from}. */
  boolean finish(String id, ActionStatus from, ActionStatus to, String error, Instant at) {
    return jdbi.withHandle(h -> h.createUpdate("""
            UPDATE ops_actions SET status = :to, last_error = COALESCE(:error, last_error),
                finished_at = :at, updated_at = :at
            WHERE id = :id AND status = :from""")
        .bind("id", id).bind("from", from.wire()).bind("to", to.wire()).bind("error", cap(error))
        .bind("at", at).execute() == 1);
  }

  /** Sent actions on the deployment whose effect is still awaited. */
  List<OpsAction> awaitingVerification(String deploymentId) {
    return jdbi.withHandle(h -> h.createQuery("""
            SELECT * FROM ops_actions WHERE deployment_id = :deploymentId AND status = 'sent'
            ORDER BY sent_at""")
        .bind("deploymentId", deploymentId).map(ActionRepository::map).list());
  }

  /** Actions admitted in this cycle (any status). */
  int countInRun(String tenantId, String runId) {
    return jdbi.withHandle(h -> h.createQuery(
            "SELECT COUNT(*) FROM ops_actions WHERE tenant_id = :tenantId AND run_id = :runId")
        .bind("tenantId", tenantId).bind("runId", runId).mapTo(Integer.class).one());
  }

  /** The tenant's actions admitted since {@code since}, those held back before sending excepted. */
  int countSince(String tenantId, Instant since) {
    return jdbi.withHandle(h -> h.createQuery("""
            SELECT COUNT(*) FROM ops_actions
            WHERE tenant_id = :tenantId AND requested_at >= :since AND status <> 'cancelled'""")
        .bind("tenantId", tenantId).bind("since", since).mapTo(Integer.class).one());
  }

  /** The distinct deployments of the workspace acted on since {@code since}. */
  List<String> deploymentsActedOn(String workspaceId, Instant since) {
    return jdbi.withHandle(h -> h.createQuery("""
            SELECT DISTINCT deployment_id FROM ops_actions
            WHERE workspace_id = :workspaceId AND requested_at >= :since AND status <> 'cancelled'""")
        .bind("workspaceId", workspaceId).bind("since", since).mapTo(String.class).list());
  }

  /**
   * When an action of {@code kind} on the deployment was last admitted after {@code after}, whatever
   * became of it since (queued, sent, cancelled, failed, helped or not): the database's side of the
   * action's cooldown, which starts when the call is admitted, as the cooldown store's claim does.
   */
  Optional<Instant> lastAdmittedAfter(String deploymentId, ActionKind kind, Instant after) {
    return jdbi.withHandle(h -> lastAdmittedAfter(h, deploymentId, kind, after));
  }

  /** {@link #lastAdmittedAfter(String, ActionKind, Instant)} in the caller's transaction. */
  Optional<Instant> lastAdmittedAfter(Handle h, String deploymentId, ActionKind kind, Instant after) {
    return h.createQuery("""
            SELECT MAX(requested_at) FROM ops_actions
            WHERE deployment_id = :deploymentId AND action = :action AND requested_at > :after""")
        .bind("deploymentId", deploymentId).bind("action", kind.wire()).bind("after", after)
        .mapTo(Instant.class).list()
        .stream().filter(java.util.Objects::nonNull).findFirst();
  }

  /** When an action on the deployment last turned out not to help, if one did since {@code since}. */
  Optional<Instant> lastNotHelpedSince(String deploymentId, Instant since) {
    return jdbi.withHandle(h -> h.createQuery("""
            SELECT MAX(finished_at) FROM ops_actions
            WHERE deployment_id = :deploymentId AND status = 'not_helped' AND finished_at >= :since""")
        .bind("deploymentId", deploymentId).bind("since", since).mapTo(Instant.class).list())
        .stream().filter(java.util.Objects::nonNull).findFirst();
  }

  /** The deployment's status changes (events with a status) after {@code after}, oldest first. */
  List<StatusSince> statusChangesAfter(String deploymentId, Instant after) {
    return jdbi.withHandle(h -> h.createQuery("""
            SELECT status, created_at FROM deployment_events
            WHERE deployment_id = :deploymentId AND status IS NOT NULL AND created_at > :after
            ORDER BY created_at, id""")
        .bind("deploymentId", deploymentId).bind("after", after)
        .map((rs, ctx) -> new StatusSince(rs.getString("status"), Times.instant(rs.getTimestamp("created_at"))))
        .list());
  }

  record StatusSince(String status, Instant since) {}

  /** True when the deployment has run {@code version} before (its recorded version history). */
  boolean hasRun(String deploymentId, String version) {
    return jdbi.withHandle(h -> h.createQuery("""
            SELECT COUNT(*) FROM deployment_events
            WHERE deployment_id = :deploymentId AND (version = :v OR previous_version = :v)""")
        .bind("deploymentId", deploymentId).bind("v", version).mapTo(Integer.class).one()) > 0;
  }

  private static String cap(String s) {
    return s == null || s.length() <= 2000 ? s : s.substring(0, 2000);
  }

  private static OpsAction map(ResultSet rs, StatementContext ctx) throws SQLException {
    return new OpsAction(rs.getString("id"), rs.getString("tenant_id"), rs.getString("workspace_id"),
        rs.getString("deployment_id"), ActionKind.fromWire(rs.getString("action")),
        rs.getString("to_version"), rs.getString("reason"), rs.getString("run_id"),
        ActionStatus.fromWire(rs.getString("status")), rs.getInt("attempts"),
        rs.getString("last_error"), Times.instant(rs.getTimestamp("requested_at")),
        Times.instant(rs.getTimestamp("sent_at")), Times.instant(rs.getTimestamp("finished_at")));
  }
}
