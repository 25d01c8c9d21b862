package io.opsagent.agent.guard;

import io.opsagent.agent.tools.OpsTools;
import io.opsagent.agent.tools.Refusal;
import io.opsagent.agent.tools.RefusalReason;
import io.opsagent.db.Times;
import io.opsagent.notify.Alert;
import io.opsagent.notify.Notifier;
import io.opsagent.notify.Severity;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bounds a flooding model across cycles: a tenant's agent sends at most
 * {@code OPSAGENT_MAX_ALERTS_PER_TENANT_HOUR} alerts (pages and updates, counted once whatever the
 * number of channels) in any hour. Past that, {@code sendAlert} is refused with
 * {@code alert_storm: …}, and one "alert storm" notice an hour (by code, to each workspace with a
 * failing deployment) lists what is still failing, so nobody mistakes the silence for recovery.
 *
 * <p>Only the model's alerts are counted and refused: code's pages of reports, the watchdog's,
 * reminders and resolved notices go out whatever the model did. The count comes from the delivery
 * log, so it holds across cycles, workers and restarts. It fails open: when the database cannot
 * answer, the alert goes through (it would then most likely fail to be recorded, which the model is
 * told).
 */
final class AlertStorm implements ActionGate.Check {
  private static final Logger log = LoggerFactory.getLogger(AlertStorm.class);
  static final String TITLE = "Alert storm: further alerts of the agent held back";
  private static final Duration HOUR = Duration.ofHours(1);
  private static final int MAX_LISTED = 20;

  private final Jdbi jdbi;
  private final Notifier notifier;
  private final AlertCooldown notices;
  private final int cap;
  private final Clock clock;

  /** {@code notices}: a window of an hour, so the storm notice goes out at most once an hour. */
  public AlertStorm(Jdbi jdbi, Notifier notifier, AlertCooldown notices, int cap, Clock clock) {
    this.clock = clock;
    this.jdbi = Objects.requireNonNull(jdbi, "jdbi");
    this.notifier = Objects.requireNonNull(notifier, "notifier");
    this.notices = Objects.requireNonNull(notices, "notices");
    this.cap = cap;
  }

  @Override
  public Optional<Refusal> refusal(ActionGate.Call call) {
    if (!OpsTools.SEND_ALERT.equals(call.tool())) {
      return Optional.empty();
    }
    int sent;
    try {
      sent = sentLastHour(call.tenantId());
    } catch (RuntimeException e) {
      log.warn("tenant={} alert storm check unavailable, alert let through error={}", call.tenantId(), e.toString());
      return Optional.empty();
    }
    if (sent < cap) {
      return Optional.empty();
    }
    notifyOnce(call.tenantId(), call.runId(), sent);
    return Refusal.of(RefusalReason.ALERT_STORM, "alert_storm: this tenant's agent has sent " + sent + " alerts in the last hour, the"
        + " most allowed (OPSAGENT_MAX_ALERTS_PER_TENANT_HOUR=" + cap + "); this one is not sent. One"
        + " 'alert storm' notice lists what is still failing, and failures are still paged by code."
        + " Record what you would have alerted with recordAction.");
  }

  /** The model's alerts recorded for the tenant in the last hour (one per alert, not per channel). */
  private int sentLastHour(String tenantId) {
    return jdbi.withHandle(h -> h.createQuery("""
            SELECT COUNT(*) FROM (SELECT DISTINCT alert_key, created_at FROM notifications
                WHERE tenant_id = :tenantId AND sent_by = 'model' AND created_at >= :since
                  AND status IN ('pending', 'delivered')) a""")
        .bind("tenantId", tenantId)
        .bind("since", Times.current(clock).minus(HOUR))
        .mapTo(Integer.class)
        .one());
  }

  /**
   * One notice an hour per workspace with a failing deployment (its window claimed per workspace and
   * title, as {@link AlertCooldown} keys them), or one tenant-wide when nothing is failing.
   */
  private void notifyOnce(String tenantId, String runId, int sent) {
    try {
      Map<String, StringBuilder> byWorkspace = new LinkedHashMap<>();
      List<String[]> failing = jdbi.withHandle(h -> h.createQuery("""
              SELECT workspace_id, name, status FROM deployments
              WHERE tenant_id = :tenantId AND status IN ('FAILED', 'DEGRADED') AND deleted_at IS NULL
              ORDER BY status DESC, name LIMIT :limit""")
          .bind("tenantId", tenantId).bind("limit", MAX_LISTED)
          .map((rs, ctx) -> new String[] {rs.getString("workspace_id"), rs.getString("name"), rs.getString("status")})
          .list());
      for (String[] d : failing) {
        byWorkspace.computeIfAbsent(d[0], w -> new StringBuilder()).append("\n- ").append(d[1]).append(": ").append(d[2]);
      }
      String intro = "The agent sent " + sent + " alerts in the last hour, the most allowed; further alerts of"
          + " the agent are held back for the rest of the hour. New failures are still paged by code.";
      if (byWorkspace.isEmpty() && notices.tryAcquire(tenantId, null, TITLE)) {
        notifier.send(new Alert(tenantId, null, Severity.WARNING, TITLE, intro + " Nothing is failing now.", runId));
        log.warn("tenant={} alert storm: model alerts held back sent={} cap={}", tenantId, sent, cap);
      }
      byWorkspace.forEach((workspaceId, list) -> {
        if (notices.tryAcquire(tenantId, workspaceId, TITLE)) {
          notifier.send(new Alert(tenantId, workspaceId, Severity.WARNING, TITLE, intro + " Still failing:" + list,
              runId));
          log.warn("tenant={} workspace={} alert storm: model alerts held back sent={} cap={}", tenantId,
              workspaceId, sent, cap);
        }
      });
    } catch (RuntimeException e) {
      log.warn("tenant={} alert storm notice not sent error={}", tenantId, e.toString());
    }
  }
}
