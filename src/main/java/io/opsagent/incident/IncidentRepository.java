package io.opsagent.incident;

import io.opsagent.Json;
import io.opsagent.db.Times;
import io.opsagent.notify.Severity;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.StatementContext;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;

/**
 * The {@code incidents} table. Every state change is a conditional update that only one caller
 * can win (open → resolved, unacknowledged → acknowledged, a reminder's claim), so two processes
 * never both resolve or both remind; at most one incident per key is open ({@code open_key} is
 * unique).
 */
public final class IncidentRepository {
  /** When the oldest firing delivery of incident {@code i} still pending was recorded (null: none). */
  static final String PAGING_SINCE = """
      COALESCE((SELECT MIN(n.created_at) FROM notifications n
          WHERE n.tenant_id = i.tenant_id AND n.incident_key = i.incident_key AND n.status = 'pending'
            AND COALESCE(n.alert_status, 'firing') = 'firing'),
        (SELECT MIN(n.created_at) FROM incident_grouped_pages g JOIN notifications n ON n.id = g.delivery_id
          WHERE g.incident_id = i.id AND n.status = 'pending'))""";
  /** Every incident column, and {@code paging_since}. */
  static final String SELECT = "SELECT i.*, " + PAGING_SINCE + " AS paging_since\nFROM incidents i\n";
  private final Jdbi jdbi;

  public IncidentRepository(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  Optional<Incident> findOpen(String incidentKey) {
    return jdbi.withHandle(h -> h.createQuery(SELECT + "WHERE i.open_key = :key")
        .bind("key", incidentKey).map(IncidentRepository::map).findOne());
  }

  Optional<Incident> find(String tenantId, String id) {
    return jdbi.withHandle(h -> h.createQuery(
            SELECT + "WHERE i.id = :id AND i.tenant_id = :tenantId")
        .bind("id", id).bind("tenantId", tenantId).map(IncidentRepository::map).findOne());
  }

  /** The tenant's incidents (all, or those in {@code status}), newest first. */
  public List<Incident> list(String tenantId, Incident.Status status, int limit) {
    return jdbi.withHandle(h -> h.createQuery(SELECT + """
            WHERE i.tenant_id = :tenantId
              AND (CAST(:status AS VARCHAR(16)) IS NULL OR i.status = :status)
            ORDER BY i.opened_at DESC, i.id DESC LIMIT :limit""")
        .bind("tenantId", tenantId)
        .bind("status", status == null ? null : status.wire())
        .bind("limit", limit)
        .map(IncidentRepository::map).list());
  }

  List<Incident> openFor(String deploymentId) {
    return jdbi.withHandle(h -> h.createQuery(
            SELECT + "WHERE i.deployment_id = :d AND i.status = 'open' ORDER BY i.opened_at")
        .bind("d", deploymentId).map(IncidentRepository::map).list());
  }

  /** Open, unacknowledged incidents last notified at or before {@code cutoff}. */
  List<Incident> dueReminders(Instant cutoff, int limit) {
    return jdbi.withHandle(h -> h.createQuery(SELECT + """
            WHERE i.status = 'open' AND i.acknowledged_at IS NULL
              AND i.last_notified_at <= :cutoff ORDER BY i.last_notified_at LIMIT :limit""")
        .bind("cutoff", cutoff).bind("limit", limit).map(IncidentRepository::map).list());
  }

  /** Inserts the incident; false if another incident with its key is open already. */
  boolean insert(Incident i) {
    try {
      jdbi.useHandle(h -> h.createUpdate("""
              INSERT INTO incidents (id, tenant_id, deployment_id, workspace_id, incident_key, open_key,
                  problem, severity, title, body, status, alerts, opened_at, last_alert_at, last_notified_at)
              VALUES (:id, :tenantId, :deploymentId, :workspaceId, :key, :key, :problem, :severity,
                  :title, :body, 'open', 1, :now, :now, :now)""")
          .bind("id", i.id()).bind("tenantId", i.tenantId()).bind("deploymentId", i.deploymentId())
          .bind("workspaceId", i.workspaceId()).bind("key", i.incidentKey())
          .bind("problem", i.problem().wire()).bind("severity", i.severity().wire())
          .bind("title", Json.truncate(i.title(), 500)).bind("body", Json.truncate(i.body(), 8000))
          .bind("now", i.openedAt())
          .execute());
      return true;
    } catch (UnableToExecuteStatementException e) {
      if (e.getCause() instanceof SQLException sql && sql.getSQLState() != null
          && sql.getSQLState().startsWith("23")) {
        return false;
      }
      throw e;
    }
  }

  void delete(String id) {
    jdbi.useHandle(h -> h.createUpdate("DELETE FROM incidents WHERE id = :id").bind("id", id).execute());
  }

  void recordAlert(String id, Instant now) {
    jdbi.useHandle(h -> h.createUpdate(
            "UPDATE incidents SET alerts = alerts + 1, last_alert_at = :now WHERE id = :id")
        .bind("id", id).bind("now", now).execute());
  }

  /**
   * Marks the open incident {@code incidentKey} paged at {@code at}, unless it already was: a firing
   * delivery of it reached a receiver. False when no open incident was waiting for its page.
   */
  boolean markPaged(String tenantId, String incidentKey, Instant at) {
    return jdbi.withHandle(h -> h.createUpdate("""
            UPDATE incidents SET paged_at = :at
            WHERE open_key = :key AND tenant_id = :tenantId AND paged_at IS NULL""")
        .bind("key", incidentKey).bind("tenantId", tenantId).bind("at", at).execute() == 1);
  }

  /**
   * Reopens the incident {@code incidentKey} resolved at or after {@code since} (a deployment
   * failing again soon after it recovered): the same incident, open again. Empty when there is none,
   * or another one with its key is open already.
   */
  Optional<Incident> reopenResolvedSince(String incidentKey, Instant since, Instant now) {
    Optional<Incident> last = jdbi.withHandle(h -> h.createQuery(SELECT + """
            WHERE i.incident_key = :key AND i.status = 'resolved' AND i.resolved_at >= :since
            ORDER BY i.resolved_at DESC, i.id DESC LIMIT 1""")
        .bind("key", incidentKey).bind("since", since).map(IncidentRepository::map).findOne());
    if (last.isEmpty()) {
      return last;
    }
    try {
      int reopened = jdbi.withHandle(h -> h.createUpdate("""
              UPDATE incidents SET status = 'open', open_key = incident_key, resolved_at = NULL,
                  alerts = alerts + 1, last_alert_at = :now
              WHERE id = :id AND status = 'resolved'""")
          .bind("id", last.get().id()).bind("now", now).execute());
      return reopened == 1 ? findOpen(incidentKey) : Optional.empty();
    } catch (UnableToExecuteStatementException e) {
      if (e.getCause() instanceof SQLException sql && sql.getSQLState() != null
          && sql.getSQLState().startsWith("23")) {
        return Optional.empty(); // another incident with this key opened meanwhile
      }
      throw e;
    }
  }

  /** Resolves the incident; true for the one caller that did. */
  boolean resolve(String id, Instant now) {
    return jdbi.withHandle(h -> h.createUpdate("""
            UPDATE incidents SET status = 'resolved', open_key = NULL, resolved_at = :now
            WHERE id = :id AND status = 'open'""")
        .bind("id", id).bind("now", now).execute() == 1);
  }

  /** Acknowledges the incident unless it already is (the first acknowledgement counts). */
  /** Acknowledges the incident; true only for the call that did (it was not acknowledged before). */
  boolean acknowledge(String id, Instant now) {
    return jdbi.withHandle(h -> h.createUpdate(
            "UPDATE incidents SET acknowledged_at = :now WHERE id = :id AND acknowledged_at IS NULL")
        .bind("id", id).bind("now", now).execute() == 1);
  }

  /** Claims the reminder of an incident last notified at {@code previous}; true for the one winner. */
  boolean claimReminder(Incident i, Instant now) {
    return jdbi.withHandle(h -> h.createUpdate("""
            UPDATE incidents SET last_notified_at = :now
            WHERE id = :id AND status = 'open' AND acknowledged_at IS NULL AND last_notified_at = :previous""")
        .bind("id", i.id()).bind("now", now).bind("previous", i.lastNotifiedAt()).execute() == 1);
  }

  /** Title and body of the latest notice recorded for {@code incidentKey} (page, update or reminder). */
  Optional<List<String>> lastNotice(String tenantId, String incidentKey) {
    return jdbi.withHandle(h -> h.createQuery("""
            SELECT title, body FROM notifications WHERE tenant_id = :tenantId AND incident_key = :key
            ORDER BY created_at DESC, id DESC LIMIT 1""")
        .bind("tenantId", tenantId).bind("key", incidentKey)
        .map((rs, ctx) -> List.of(rs.getString("title"), rs.getString("body"))).findOne());
  }

  /** The tenant's open incidents nobody was reached for, oldest first, within {@code h}'s transaction. */
  List<Incident> unpagedOpen(org.jdbi.v3.core.Handle h, String tenantId, int limit) {
    return h.createQuery(SELECT + "WHERE i.tenant_id = :tenantId AND i.open_key IS NOT NULL AND i.paged_at IS NULL"
            + " ORDER BY i.opened_at, i.id LIMIT :limit")
        .bind("tenantId", tenantId).bind("limit", limit).map(IncidentRepository::map).list();
  }

  /** The channels that got a firing notice of the incident. */
  Set<String> deliveredFiringChannels(String tenantId, String incidentKey) {
    return new HashSet<>(jdbi.withHandle(h -> h.createQuery("""
            SELECT DISTINCT channel_id FROM notifications
            WHERE tenant_id = :tenantId AND incident_key = :key AND status = 'delivered'
              AND (alert_status IS NULL OR alert_status = 'firing')""")
        .bind("tenantId", tenantId).bind("key", incidentKey).mapTo(String.class).list()));
  }

  private static Incident map(ResultSet rs, StatementContext ctx) throws SQLException {
    return new Incident(
        rs.getString("id"),
        rs.getString("tenant_id"),
        rs.getString("deployment_id"),
        rs.getString("workspace_id"),
        rs.getString("incident_key"),
        Problem.fromWire(rs.getString("problem")),
        Severity.fromWire(rs.getString("severity")),
        rs.getString("title"),
        rs.getString("body"),
        Incident.Status.fromWire(rs.getString("status")),
        rs.getInt("alerts"),
        Times.instant(rs.getTimestamp("opened_at")),
        Times.instant(rs.getTimestamp("last_alert_at")),
        Times.instant(rs.getTimestamp("last_notified_at")),
        Times.instant(rs.getTimestamp("acknowledged_at")),
        Times.instant(rs.getTimestamp("resolved_at")),
        Times.instant(rs.getTimestamp("paged_at")),
        Times.instant(rs.getTimestamp("paging_since")));
  }
}
