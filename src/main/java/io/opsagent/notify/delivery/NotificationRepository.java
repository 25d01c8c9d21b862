package io.opsagent.notify.delivery;

import io.opsagent.db.Ids;
import io.opsagent.db.Times;
import io.opsagent.notify.Alert;
import io.opsagent.notify.Delivery;
import io.opsagent.notify.DeliveryStatus;
import io.opsagent.notify.NotificationChannel;
import io.opsagent.notify.Severity;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.StatementContext;

/**
 * The delivery log ({@code notifications}): one row per alert and channel, written {@code pending}
 * before any attempt. A row is attempted only by whoever {@link #claim claims} it, so two processes
 * never deliver the same row at once; every outcome update only touches a row still {@code pending},
 * so a recorded {@code delivered} or {@code failed} is final.
 */
public final class NotificationRepository {
  private final Jdbi jdbi;

  public NotificationRepository(Jdbi jdbi) {
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
   * Records one pending delivery per channel, all in one transaction; due at once. An alert naming a
   * workspace that is not its tenant's is refused with an {@link IllegalArgumentException}.
   */
  List<Delivery> insertPending(Alert alert, List<NotificationChannel> channels) {
    Instant now = Times.now();
    List<Delivery> out = new ArrayList<>();
    for (NotificationChannel c : channels) {
      out.add(new Delivery(Ids.newId(), alert.tenantId(), c.id(), alert.workspaceId(), alert.runId(),
          alert.deploymentId(), alert.severity(), truncate(alert.title(), 500), truncate(alert.body(), 8000),
          DeliveryStatus.PENDING, 0, null, now, null));
    }
    jdbi.useTransaction(h -> {
      if (alert.workspaceId() != null && h.createQuery(
              "SELECT COUNT(*) FROM workspaces WHERE id = :id AND tenant_id = :tenantId")
          .bind("id", alert.workspaceId()).bind("tenantId", alert.tenantId())
          .mapTo(Integer.class).one() == 0) {
        throw new IllegalArgumentException(
            "workspace " + alert.workspaceId() + " not found for this tenant");
      }
      for (Delivery d : out) {
        h.createUpdate("""
                INSERT INTO notifications (id, tenant_id, channel_id, workspace_id, run_id, deployment_id,
                    severity, title, body, status, attempts, next_attempt_at, created_at, updated_at)
                VALUES (:id, :tenantId, :channelId, :workspaceId, :runId, :deploymentId, :severity,
                    :title, :body, 'pending', 0, :now, :now, :now)""")
            .bind("id", d.id())
            .bind("tenantId", d.tenantId())
            .bind("channelId", d.channelId())
            .bind("workspaceId", d.workspaceId())
            .bind("runId", d.runId())
            .bind("deploymentId", d.deploymentId())
            .bind("severity", d.severity().wire())
            .bind("title", d.title())
            .bind("body", d.body())
            .bind("now", now)
            .execute();
      }
    });
    return out;
  }

  /** Ids of pending rows due by {@code now}, oldest first. */
  List<String> due(Instant now, int limit) {
    return jdbi.withHandle(h -> h.createQuery("""
            SELECT id FROM notifications WHERE status = 'pending' AND next_attempt_at <= :now
            ORDER BY next_attempt_at, id LIMIT :limit""")
        .bind("now", now)
        .bind("limit", limit)
        .mapTo(String.class)
        .list());
  }

  /**
   * Takes a due pending row for one attempt by pushing its due time {@code lease} ahead; the row is
   * returned only to the one caller whose update matched. A process that dies mid-attempt leaves the
   * row to be retried when the lease runs out.
   */
  Optional<Delivery> claim(String id, Duration lease) {
    Instant now = Times.now();
    return jdbi.inTransaction(h -> {
      int claimed = h.createUpdate("""
              UPDATE notifications SET next_attempt_at = :until, updated_at = :now
              WHERE id = :id AND status = 'pending' AND next_attempt_at <= :now""")
          .bind("until", now.plus(lease))
          .bind("now", now)
          .bind("id", id)
          .execute();
      return claimed == 1
          ? h.createQuery("SELECT * FROM notifications WHERE id = :id").bind("id", id)
              .map(NotificationRepository::map).findOne()
          : Optional.empty();
    });
  }

  void delivered(String id) {
    Instant now = Times.now();
    outcome("""
        UPDATE notifications SET status = 'delivered', attempts = attempts + 1, last_error = NULL,
            next_attempt_at = NULL, delivered_at = :now, updated_at = :now
        WHERE id = :id AND status = 'pending'""", id, now, null, null);
  }

  void retryAt(String id, String error, Instant next) {
    outcome("""
        UPDATE notifications SET attempts = attempts + 1, last_error = :error,
            next_attempt_at = :next, updated_at = :now
        WHERE id = :id AND status = 'pending'""", id, Times.now(), error, next);
  }

  void failed(String id, String error) {
    outcome("""
        UPDATE notifications SET status = 'failed', attempts = attempts + 1, last_error = :error,
            next_attempt_at = NULL, updated_at = :now
        WHERE id = :id AND status = 'pending'""", id, Times.now(), error, null);
  }

  private void outcome(String sql, String id, Instant now, String error, Instant next) {
    jdbi.useHandle(h -> {
      var update = h.createUpdate(sql).bind("id", id).bind("now", now);
      if (sql.contains(":error")) {
        update.bind("error", truncate(error, 2000));
      }
      if (sql.contains(":next")) {
        update.bind("next", next);
      }
      update.execute();
    });
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
        instant(rs.getTimestamp("created_at")),
        instant(rs.getTimestamp("delivered_at")));
  }

  private static Instant instant(Timestamp ts) {
    return ts == null ? null : ts.toInstant();
  }

  private static String truncate(String s, int max) {
    return s == null || s.length() <= max ? s : s.substring(0, max - 1) + "…";
  }
}
