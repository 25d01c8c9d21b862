package io.opsagent.notify.delivery;

import io.opsagent.Json;
import io.opsagent.db.Ids;
import io.opsagent.db.Times;
import io.opsagent.notify.Alert;
import io.opsagent.notify.Delivery;
import io.opsagent.notify.DeliveryStatus;
import io.opsagent.notify.NotificationChannel;
import io.opsagent.notify.Severity;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.StatementContext;

/**
 * The delivery log ({@code notifications}): one row per alert and channel, written {@code pending}
 * in the same transaction as its delivery job, and updated by every attempt (attempts, last error,
 * status). Every outcome update only touches a row still {@code pending}, so a recorded
 * {@code delivered} or {@code failed} is final.
 */
public final class NotificationRepository {
  private final Jdbi jdbi;
  private final Clock clock;

  public NotificationRepository(Jdbi jdbi, Clock clock) {
    this.clock = clock;
    this.jdbi = jdbi;
  }

  /** The tenant's most recent deliveries, newest first. */
  public List<Delivery> listByTenant(String tenantId, int limit) {
    return jdbi.withHandle(h -> h.createQuery("""
            SELECT * FROM notifications WHERE tenant_id = :tenantId
            ORDER BY created_at DESC, id DESC LIMIT :limit""")
        .bind("tenantId", tenantId)
        .bind("limit", limit)
        .map(NotificationRepository::map)
        .list());
  }

  public Optional<Delivery> find(String tenantId, String id) {
    return jdbi.withHandle(h -> h.createQuery(
            "SELECT * FROM notifications WHERE id = :id AND tenant_id = :tenantId")
        .bind("id", id)
        .bind("tenantId", tenantId)
        .map(NotificationRepository::map)
        .findOne());
  }

  /**
   * Moves the tenant's deliveries recorded under run {@code from} to run {@code to} (null: none):
   * a page recorded under the id of the review its report asked for, when the report joined a
   * review already queued instead. Returns how many rows moved.
   */
  public int relinkRun(String tenantId, String from, String to) {
    return jdbi.withHandle(h -> h.createUpdate(
            "UPDATE notifications SET run_id = :to WHERE tenant_id = :tenantId AND run_id = :from")
        .bind("tenantId", tenantId).bind("from", from).bind("to", to).execute());
  }

  /**
   * The pages code recorded under run {@code runId} (the page of the report that queued the run):
   * one row per alert, the earliest channel's, oldest first.
   */
  public List<Delivery> codePagesOf(String tenantId, String runId) {
    return jdbi.withHandle(h -> h.createQuery("""
            SELECT * FROM notifications n WHERE n.tenant_id = :tenantId AND n.run_id = :runId
              AND n.sent_by = 'code' AND COALESCE(n.alert_status, 'firing') = 'firing'
              AND n.id = (SELECT MIN(o.id) FROM notifications o WHERE o.tenant_id = n.tenant_id
                  AND o.run_id = n.run_id AND o.alert_key = n.alert_key AND o.created_at = n.created_at)
            ORDER BY n.created_at, n.id""")
        .bind("tenantId", tenantId)
        .bind("runId", runId)
        .map(NotificationRepository::map)
        .list());
  }

  /** A row by id alone: for the delivery job, which holds only the row's id. */
  Optional<Delivery> find(String id) {
    return jdbi.withHandle(h -> h.createQuery("SELECT * FROM notifications WHERE id = :id")
        .bind("id", id)
        .map(NotificationRepository::map)
        .findOne());
  }

  /**
   * Records one pending delivery per channel on {@code h}, in the caller's transaction. An alert
   * naming a workspace that is not its tenant's is refused with an {@link IllegalArgumentException}.
   */
  List<Delivery> insertPending(Handle h, Alert alert, List<NotificationChannel> channels) {
    if (alert.workspaceId() != null && h.createQuery(
            "SELECT COUNT(*) FROM workspaces WHERE id = :id AND tenant_id = :tenantId")
        .bind("id", alert.workspaceId()).bind("tenantId", alert.tenantId())
        .mapTo(Integer.class).one() == 0) {
      throw new IllegalArgumentException(
          "workspace " + alert.workspaceId() + " not found for this tenant");
    }
    Instant now = Times.current(clock);
    String alertKey = AlertWindows.alertKey(alert.workspaceId(), alert.title());
    List<Delivery> out = new ArrayList<>();
    for (NotificationChannel c : channels) {
      Delivery d = new Delivery(Ids.newId(), alert.tenantId(), c.id(), alert.workspaceId(), alert.runId(),
          alert.deploymentId(), alert.severity(), Json.truncate(alert.title(), 500), Json.truncate(alert.body(), 8000),
          DeliveryStatus.PENDING, 0, null, now, null, alert.incidentKey(), alert.status(), alert.by());
      h.createUpdate("""
              INSERT INTO notifications (id, tenant_id, channel_id, workspace_id, run_id, deployment_id,
                  severity, title, body, status, attempts, alert_key, created_at, updated_at,
                  incident_key, alert_status, sent_by)
              VALUES (:id, :tenantId, :channelId, :workspaceId, :runId, :deploymentId, :severity, :title,
                  :body, 'pending', 0, :alertKey, :now, :now, :incidentKey, :alertStatus, :by)""")
          .bind("by", d.by())
          .bind("incidentKey", d.incidentKey())
          .bind("alertStatus", d.alertStatus())
          .bind("id", d.id())
          .bind("tenantId", d.tenantId())
          .bind("channelId", d.channelId())
          .bind("workspaceId", d.workspaceId())
          .bind("runId", d.runId())
          .bind("deploymentId", d.deploymentId())
          .bind("severity", d.severity().wire())
          .bind("title", d.title())
          .bind("body", d.body())
          .bind("alertKey", alertKey)
          .bind("now", now)
          .execute();
      out.add(d);
    }
    return out;
  }

  /**
   * Records a successful attempt; false if the row was no longer pending. A firing notice of an
   * open incident not yet paged marks it paged in the same transaction: an incident counts as paged
   * only once a delivery of its page reached a receiver.
   */
  boolean delivered(String id) {
    Instant now = Times.current(clock);
    return jdbi.inTransaction(h -> {
      boolean updated = h.createUpdate("""
              UPDATE notifications SET status = 'delivered', attempts = attempts + 1, last_error = NULL,
                  delivered_at = :now, updated_at = :now
              WHERE id = :id AND status = 'pending'""")
          .bind("id", id)
          .bind("now", now)
          .execute() == 1;
      if (updated) {
        h.createUpdate("""
                UPDATE incidents SET paged_at = :now
                WHERE paged_at IS NULL AND open_key = (SELECT n.incident_key FROM notifications n
                    WHERE n.id = :id AND COALESCE(n.alert_status, 'firing') = 'firing')
                  AND tenant_id = (SELECT n.tenant_id FROM notifications n WHERE n.id = :id)""")
            .bind("id", id)
            .bind("now", now)
            .execute();
        // a grouped page pages every incident it lists
        h.createUpdate("""
                UPDATE incidents SET paged_at = :now
                WHERE paged_at IS NULL AND id IN (SELECT g.incident_id FROM incident_grouped_pages g
                    WHERE g.delivery_id = :id)""")
            .bind("id", id)
            .bind("now", now)
            .execute();
      }
      return updated;
    });
  }

  /**
   * The detection latency of a delivered notification: its {@code delivered_at} minus the
   * {@code created_at} of the latest event of its deployment that reported a status at or before
   * the alert was recorded, when that status is FAILED or DEGRADED (the change the alert is about).
   * Empty for a notification naming no deployment, a {@code resolved} notice, a deployment whose
   * latest reported status is another, and for any notification after the first one delivered to
   * the same channel about the same deployment since that event (re-sends and reminders: the
   * problem was detected once).
   */
  Optional<Duration> detectionLatency(String id) {
    return jdbi.withHandle(h -> {
      Optional<Instant[]> times = h.createQuery("""
              SELECT n.delivered_at, e.created_at AS changed_at FROM notifications n
              JOIN deployment_events e ON e.id = (
                  SELECT e2.id FROM deployment_events e2
                  WHERE e2.deployment_id = n.deployment_id AND e2.status IS NOT NULL
                    AND e2.created_at <= n.created_at
                  ORDER BY e2.created_at DESC, e2.id DESC LIMIT 1)
              WHERE n.id = :id AND n.status = 'delivered' AND n.deployment_id IS NOT NULL
                AND COALESCE(n.alert_status, 'firing') = 'firing'
                AND e.status IN ('FAILED', 'DEGRADED')
                AND NOT EXISTS (SELECT 1 FROM notifications o
                    WHERE o.deployment_id = n.deployment_id AND o.channel_id = n.channel_id
                      AND o.id <> n.id AND o.status = 'delivered'
                      AND o.delivered_at >= e.created_at AND o.delivered_at <= n.delivered_at)""")
          .bind("id", id)
          .map((rs, ctx) -> new Instant[] {Times.instant(rs.getTimestamp("delivered_at")),
              Times.instant(rs.getTimestamp("changed_at"))})
          .findOne();
      return times.map(t -> Duration.between(t[1], t[0]));
    });
  }

  /**
   * Records a failed attempt: the row stays pending, or becomes {@code failed} when it was recorded
   * at or before {@code giveUpBefore} (it has been retried for the whole give-up time), or when this
   * was attempt number {@code maxAttempts} ({@code 0}: no cap). Returns the row as recorded; empty if
   * it was no longer pending.
   */
  Optional<Delivery> attemptFailed(String id, String error, int maxAttempts, Instant giveUpBefore) {
    return jdbi.inTransaction(h -> {
      int updated = h.createUpdate("""
              UPDATE notifications SET attempts = attempts + 1, last_error = :error, updated_at = :now,
                  status = CASE WHEN created_at <= :giveUpBefore OR (:max > 0 AND attempts + 1 >= :max)
                      THEN 'failed' ELSE 'pending' END
              WHERE id = :id AND status = 'pending'""")
          .bind("id", id)
          .bind("error", Json.truncate(error, 2000))
          .bind("max", maxAttempts)
          .bind("giveUpBefore", giveUpBefore)
          .bind("now", Times.current(clock))
          .execute();
      return updated == 1
          ? h.createQuery("SELECT * FROM notifications WHERE id = :id").bind("id", id)
              .map(NotificationRepository::map).findOne()
          : Optional.<Delivery>empty();
    });
  }

  /**
   * The channels of the pending firing deliveries of the tenant's incident {@code incidentKey}, while
   * it is open and not paged; empty otherwise (nothing of its page is left to help).
   */
  java.util.Set<String> unpagedFiringChannels(String tenantId, String incidentKey) {
    return new java.util.HashSet<>(jdbi.withHandle(h -> h.createQuery("""
            SELECT DISTINCT n.channel_id FROM notifications n
            JOIN incidents i ON i.tenant_id = n.tenant_id AND i.open_key = n.incident_key
            WHERE n.tenant_id = :tenantId AND n.incident_key = :incidentKey AND n.status = 'pending'
              AND COALESCE(n.alert_status, 'firing') = 'firing' AND i.paged_at IS NULL""")
        .bind("tenantId", tenantId)
        .bind("incidentKey", incidentKey)
        .mapTo(String.class)
        .list()));
  }

  private static Delivery map(ResultSet rs, StatementContext ctx) throws SQLException {
    return new Delivery(
        rs.getString("id"),
        rs.getString("tenant_id"),
        rs.getString("channel_id"),
        rs.getString("workspace_id"),
        rs.getString("run_id"),
        rs.getString("deployment_id"),
        Severity.fromWire(rs.getString("severity")),
        rs.getString("title"),
        rs.getString("body"),
        DeliveryStatus.fromWire(rs.getString("status")),
        rs.getInt("attempts"),
        rs.getString("last_error"),
        Times.instant(rs.getTimestamp("created_at")),
        Times.instant(rs.getTimestamp("delivered_at")),
        rs.getString("incident_key"),
        rs.getString("alert_status"),
        rs.getString("sent_by"));
  }

}
