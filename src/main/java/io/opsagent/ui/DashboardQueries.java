package io.opsagent.ui;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.opsagent.action.ActionRepository;
import io.opsagent.action.OpsAction;
import io.opsagent.agent.run.OpsRun;
import io.opsagent.agent.run.RunRepository;
import io.opsagent.api.routes.TenantStatusQuery;
import io.opsagent.api.routes.TenantStatusQuery.TenantStatus;
import io.opsagent.db.Times;
import io.opsagent.incident.Incident;
import io.opsagent.incident.Incidents;
import io.opsagent.notify.ChannelHealth;
import io.opsagent.platform.DeploymentRepository;
import io.opsagent.platform.DeploymentStatus;
import io.opsagent.trust.KillSwitch;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/**
 * The reads behind the dashboard's pages, each a fixed number of queries whatever the number of
 * runs, incidents or channels: the tenant statuses come from the API's {@link TenantStatusQuery}
 * (six queries per {@value #MAX_TENANTS} tenants), today's usage for all listed tenants is one
 * query, a timeline's alerts are one query for all its runs; the open incidents of every tenant, a
 * tenant's open incidents, resolved incidents, failing channels and platform actions are one query
 * each (two for the actions, with their deployments' names); a tenant's channels with their latest
 * deliveries are two. Names come with the ids, so the pages show names first.
 */
final class DashboardQueries {
  static final int MAX_TENANTS = 500;
  static final int TIMELINE_RUNS = 50;
  static final int RESOLVED_INCIDENTS = 20;
  static final int ACTIONS = 20;
  static final int MAX_OPEN_INCIDENTS = 500;
  static final int DELIVERIES = 10;

  private record Usage(long tokens, BigDecimal cost) {}

  private final Jdbi jdbi;
  private final TenantStatusQuery statuses;
  private final RunRepository runs;
  private final DeploymentRepository deployments;
  private final Sources more;
  private final ObjectMapper json;
  private final Clock clock;

  /** The trust and incident features the dashboard shows beside the runs. */
  record Sources(KillSwitch killSwitch, Incidents incidents, ActionRepository actions,
      io.opsagent.api.auth.WhoDidIt who) {}

  DashboardQueries(Jdbi jdbi, TenantStatusQuery statuses, RunRepository runs, DeploymentRepository deployments,
      Sources more, ObjectMapper json, Clock clock) {
    this.jdbi = jdbi;
    this.more = more;
    this.statuses = statuses;
    this.runs = runs;
    this.deployments = deployments;
    this.json = json;
    this.clock = clock;
  }

  /**
   * The tenants matching {@code filter}, failing first: those with a FAILED deployment, then those
   * with a DEGRADED one, then the rest, each group by name; at most {@value #MAX_TENANTS}. The
   * statuses are read for every tenant (six queries per {@value #MAX_TENANTS} tenants), so the order
   * and the filter cover them all, not only the first page.
   */
  Matched tenants(Views.TenantFilter filter) {
    List<TenantStatus> all = new ArrayList<>();
    List<TenantStatus> page = statuses.list(Optional.empty(), MAX_TENANTS);
    while (true) {
      all.addAll(page);
      if (page.size() < MAX_TENANTS) {
        break;
      }
      page = statuses.list(Optional.of(page.get(page.size() - 1).tenant().id()), MAX_TENANTS);
    }
    return select(all, filter);
  }

  /** The same for a key that sees one tenant only. */
  Matched tenants(Views.TenantFilter filter, String tenantId) {
    return select(statuses.one(tenantId).stream().toList(), filter);
  }

  private Matched select(List<TenantStatus> all, Views.TenantFilter filter) {
    String q = filter.q().toLowerCase(java.util.Locale.ROOT);
    List<TenantStatus> matched = all.stream()
        .filter(s -> q.isEmpty() || s.tenant().name().toLowerCase(java.util.Locale.ROOT).contains(q)
            || s.tenant().id().equals(filter.q()))
        .filter(s -> matches(s, filter.status()))
        .sorted(java.util.Comparator.comparingInt(DashboardQueries::failingRank)
            .thenComparing(s -> s.tenant().name(), String.CASE_INSENSITIVE_ORDER)
            .thenComparing(s -> s.tenant().id()))
        .toList();
    List<TenantStatus> shown = matched.stream().limit(MAX_TENANTS).toList();
    Map<String, Usage> today = usageToday(shown.stream().map(s -> s.tenant().id()).toList());
    Instant now = clock.instant();
    return new Matched(shown.stream().map(s -> row(s, today.get(s.tenant().id()), now)).toList(), matched.size());
  }

  /** The tenants shown and how many matched in all. */
  record Matched(List<Views.TenantRow> rows, int count) {}

  private static int failingRank(TenantStatus s) {
    return s.failed() > 0 ? 0 : s.degraded() > 0 ? 1 : 2;
  }

  private static boolean matches(TenantStatus s, String status) {
    return switch (status) {
      case "failed" -> s.failed() > 0;
      case "degraded" -> s.failed() == 0 && s.degraded() > 0;
      case "ok" -> s.failed() == 0 && s.degraded() == 0;
      case "paused" -> s.paused();
      case "disabled" -> !s.opsEnabled();
      default -> true;
    };
  }

  Optional<Views.TenantRow> tenant(String tenantId) {
    Instant now = clock.instant();
    return statuses.one(tenantId).map(s -> row(s, usageToday(List.of(tenantId)).get(tenantId), now));
  }

  List<Views.DeploymentItem> attention(String tenantId) {
    return deployments.listByTenant(tenantId, List.of(DeploymentStatus.FAILED, DeploymentStatus.DEGRADED))
        .stream().map(d -> new Views.DeploymentItem(d.id(), d.name(), d.status().name(), d.workspaceId())).toList();
  }

  /** The tenant's latest {@value #TIMELINE_RUNS} runs started in the last {@code days} days, newest first. */
  List<Views.RunItem> timeline(String tenantId, int days) {
    List<OpsRun> recent = jdbi.withHandle(h -> h.createQuery("""
            SELECT * FROM ops_agent_runs WHERE tenant_id = :tenantId AND started_at >= :since
            ORDER BY started_at DESC, id DESC LIMIT :limit""")
        .bind("tenantId", tenantId)
        .bind("since", clock.instant().minus(java.time.Duration.ofDays(days)))
        .bind("limit", TIMELINE_RUNS)
        .mapTo(OpsRun.class)
        .list());
    Map<String, List<Views.AlertItem>> alerts = alerts(tenantId, recent.stream().map(OpsRun::id).toList());
    Instant now = clock.instant();
    return recent.stream().map(r -> run(r, alerts.getOrDefault(r.id(), List.of()), now)).toList();
  }

  Views.KillSwitchView killSwitch() {
    KillSwitch.State s = more.killSwitch().state();
    String by = s.engaged() ? more.who().latest("kill-switch.engage").map(io.opsagent.api.auth.WhoDidIt.Act::by)
        .orElse(null) : null;
    return new Views.KillSwitchView(s.engaged(), s.reason(), Format.time(s.since()), by);
  }

  /** Who acknowledged each incident and who asked for each run shown, by id (one query). */
  Map<String, String> whoDidIt(List<Views.IncidentItem> open, List<Views.IncidentItem> resolved,
      List<Views.RunItem> runs) {
    List<String> ids = new ArrayList<>();
    open.forEach(i -> ids.add(i.id()));
    resolved.forEach(i -> ids.add(i.id()));
    runs.forEach(r -> ids.add(r.id()));
    Map<String, String> by = new HashMap<>();
    more.who().onTargets(ids).forEach((id, act) -> by.put(id, act.by()));
    return by;
  }

  /** The tenant's open incidents (all of them) or its latest resolved ones, newest first. */
  List<Views.IncidentItem> incidents(String tenantId, Incident.Status status) {
    return incidents(Optional.of(tenantId), status,
        status == Incident.Status.RESOLVED ? RESOLVED_INCIDENTS : MAX_OPEN_INCIDENTS);
  }

  /**
   * Open incidents of every tenant ({@code tenantId} empty) or of one, unacknowledged first, then
   * newest first; at most {@value #MAX_OPEN_INCIDENTS}. One query, with the tenants' and
   * deployments' names; the page state follows {@link Incident#pagingSince()}'s rule.
   */
  List<Views.IncidentItem> openIncidents(Optional<String> tenantId) {
    return incidents(tenantId, Incident.Status.OPEN, MAX_OPEN_INCIDENTS);
  }

  private List<Views.IncidentItem> incidents(Optional<String> tenantId, Incident.Status status, int limit) {
    String order = status == Incident.Status.OPEN && tenantId.isEmpty()
        ? "CASE WHEN i.acknowledged_at IS NULL THEN 0 ELSE 1 END, i.opened_at DESC, i.id DESC"
        : "i.opened_at DESC, i.id DESC";
    return jdbi.withHandle(h -> h.createQuery("""
            SELECT i.id, i.tenant_id, t.name AS tenant_name, i.deployment_id, d.name AS deployment_name,
                   i.incident_key, i.problem, i.severity, i.title, i.alerts, i.opened_at, i.resolved_at,
                   i.acknowledged_at, i.paged_at, """ + PAGING_SINCE + """
             AS paging_since
            FROM incidents i JOIN tenants t ON t.id = i.tenant_id
            LEFT JOIN deployments d ON d.id = i.deployment_id
            WHERE i.status = :status AND (CAST(:tenantId AS VARCHAR(64)) IS NULL OR i.tenant_id = :tenantId)
            ORDER BY\s""" + order + " LIMIT :limit")
        .bind("status", status.wire())
        .bind("tenantId", tenantId.orElse(null))
        .bind("limit", limit)
        .map((rs, ctx) -> incident(rs))
        .list());
  }

  /** When the oldest firing delivery of incident {@code i} still pending was recorded (null: none). */
  private static final String PAGING_SINCE = """
      COALESCE((SELECT MIN(n.created_at) FROM notifications n
          WHERE n.tenant_id = i.tenant_id AND n.incident_key = i.incident_key AND n.status = 'pending'
            AND COALESCE(n.alert_status, 'firing') = 'firing'),
        (SELECT MIN(n.created_at) FROM incident_grouped_pages g JOIN notifications n ON n.id = g.delivery_id
          WHERE g.incident_id = i.id AND n.status = 'pending'))""";

  private static Views.IncidentItem incident(java.sql.ResultSet rs) throws java.sql.SQLException {
    Instant pagedAt = Times.instant(rs.getTimestamp("paged_at"));
    Instant pagingSince = Times.instant(rs.getTimestamp("paging_since"));
    String state = pagedAt != null ? "paged" : pagingSince != null ? "paging" : "unpaged";
    String words = pagedAt != null ? "paged at " + Format.time(pagedAt)
        : pagingSince != null ? "being paged since " + Format.time(pagingSince) : "unpaged";
    String deploymentId = rs.getString("deployment_id");
    String deploymentName = rs.getString("deployment_name");
    return new Views.IncidentItem(rs.getString("id"), rs.getString("incident_key"), rs.getString("problem"),
        rs.getString("severity"), rs.getString("title"), rs.getInt("alerts"),
        Format.time(Times.instant(rs.getTimestamp("opened_at"))),
        Format.time(Times.instant(rs.getTimestamp("resolved_at"))),
        Format.time(Times.instant(rs.getTimestamp("acknowledged_at"))), pagedAt != null ? "paged" : "unpaged",
        words, rs.getString("tenant_id"), rs.getString("tenant_name"), deploymentId,
        deploymentName == null ? deploymentId : deploymentName, state);
  }

  /**
   * The tenant's channels (not deleted), by name, each with its latest {@value #DELIVERIES}
   * deliveries, newest first: two queries. Never a channel's configuration.
   */
  List<Views.ChannelRow> channels(String tenantId) {
    Instant now = clock.instant();
    record Row(String id, String name, String type, String workspaceId, String workspaceName, boolean enabled,
        ChannelHealth health) {}
    return jdbi.withHandle(h -> {
      List<Row> rows = h.createQuery("""
              SELECT c.id, c.name, c.type, c.workspace_id, w.name AS workspace_name, c.enabled, c.failing_since,
                     c.last_error, c.last_delivered_at
              FROM notification_channels c LEFT JOIN workspaces w ON w.id = c.workspace_id
              WHERE c.tenant_id = :tenantId AND c.deleted_at IS NULL
              ORDER BY c.name, c.id""")
          .bind("tenantId", tenantId)
          .map((rs, ctx) -> new Row(rs.getString("id"), rs.getString("name"), rs.getString("type"),
              rs.getString("workspace_id"), rs.getString("workspace_name"), rs.getBoolean("enabled"),
              new ChannelHealth(Times.instant(rs.getTimestamp("failing_since")), rs.getString("last_error"),
                  Times.instant(rs.getTimestamp("last_delivered_at")))))
          .list();
      Map<String, List<Views.DeliveryItem>> deliveries = new HashMap<>();
      if (!rows.isEmpty()) {
        h.createQuery("""
                SELECT x.* FROM notification_channels c CROSS JOIN LATERAL (
                    SELECT n.id, n.channel_id, n.created_at, n.severity, n.title, n.status, n.attempts,
                           n.last_error, n.delivered_at
                    FROM notifications n WHERE n.tenant_id = c.tenant_id AND n.channel_id = c.id
                    ORDER BY n.created_at DESC, n.id DESC LIMIT :limit) x
                WHERE c.tenant_id = :tenantId AND c.deleted_at IS NULL
                ORDER BY x.created_at DESC, x.id DESC""")
            .bind("tenantId", tenantId)
            .bind("limit", DELIVERIES)
            .map((rs, ctx) -> deliveries.computeIfAbsent(rs.getString("channel_id"), k -> new ArrayList<>())
                .add(new Views.DeliveryItem(rs.getString("id"), Format.time(Times.instant(rs.getTimestamp("created_at"))),
                    rs.getString("severity"), rs.getString("title"), rs.getString("status"), rs.getInt("attempts"),
                    rs.getString("last_error"), Format.time(Times.instant(rs.getTimestamp("delivered_at"))))))
            .list();
      }
      return rows.stream().map(r -> new Views.ChannelRow(r.id(), r.name(), r.type(), r.workspaceId(),
          r.workspaceName(), r.enabled(), r.health().failing(now), Format.time(r.health().failingSince()),
          r.health().lastError(), Format.time(r.health().lastDeliveredAt()),
          deliveries.getOrDefault(r.id(), List.of()))).toList();
    });
  }

  /** The tenant's enabled channels that are failing now (see {@link ChannelHealth}), oldest failure first. */
  List<Views.ChannelItem> failingChannels(String tenantId) {
    return jdbi.withHandle(h -> h.createQuery("""
            SELECT c.id, c.name, c.type, w.name AS workspace_name, c.failing_since, c.last_error
            FROM notification_channels c LEFT JOIN workspaces w ON w.id = c.workspace_id
            WHERE c.tenant_id = :tenantId AND c.enabled = TRUE AND c.deleted_at IS NULL AND c.failing_since <= :cutoff
            ORDER BY c.failing_since, c.id""")
        .bind("tenantId", tenantId)
        .bind("cutoff", clock.instant().minus(ChannelHealth.FAILING_AFTER))
        .map((rs, ctx) -> new Views.ChannelItem(rs.getString("id"), rs.getString("name"), rs.getString("type"),
            rs.getString("workspace_name") == null ? "tenant-wide" : "workspace " + rs.getString("workspace_name"),
            Format.time(Times.instant(rs.getTimestamp("failing_since"))), rs.getString("last_error")))
        .list());
  }

  /** The tenant's latest platform actions, with their deployments' names (one more query). */
  List<Views.ActionItem> actions(String tenantId) {
    List<OpsAction> found = more.actions().list(tenantId, ACTIONS);
    Map<String, String> names = deploymentNames(tenantId, found.stream().map(OpsAction::deploymentId).toList());
    return found.stream().map(a -> new Views.ActionItem(a.action().wire(), a.deploymentId(),
        names.getOrDefault(a.deploymentId(), a.deploymentId()), a.toVersion(), a.status().wire(), a.reason(),
        a.attempts(), a.lastError(), Format.time(a.requestedAt()), Format.time(a.finishedAt()))).toList();
  }

  private Map<String, String> deploymentNames(String tenantId, List<String> ids) {
    Map<String, String> out = new HashMap<>();
    if (ids.isEmpty()) {
      return out;
    }
    jdbi.useHandle(h -> h.createQuery("SELECT id, name FROM deployments WHERE tenant_id = :tenantId AND id IN (<ids>)")
        .bind("tenantId", tenantId).bindList("ids", ids.stream().distinct().toList())
        .map((rs, ctx) -> out.put(rs.getString("id"), rs.getString("name"))).list());
    return out;
  }

  /** Tokens and cost per UTC day over the last {@code days} days. */
  Views.Chart usageChart(String tenantId, int days) {
    return UsageChart.of(runs.usage(tenantId, days), LocalDate.now(clock.withZone(ZoneOffset.UTC)), days);
  }

  private static Views.TenantRow row(TenantStatus s, Usage today, Instant now) {
    OpsRun last = s.lastRun();
    return new Views.TenantRow(s.tenant().id(), s.tenant().name(), s.opsEnabled(), s.paused(),
        Format.time(s.pausedUntil()), s.mode() == null ? "live" : s.mode(), s.failed(), s.degraded(),
        last == null ? null : last.status().wire(), last == null ? null : Format.age(last.startedAt(), now),
        today == null ? 0 : today.tokens(), Format.usd(today == null ? null : today.cost()));
  }

  private Map<String, Usage> usageToday(List<String> tenantIds) {
    Map<String, Usage> out = new HashMap<>();
    if (tenantIds.isEmpty()) {
      return out;
    }
    jdbi.useHandle(h -> h.createQuery("""
            SELECT tenant_id, input_tokens + output_tokens + cache_read_tokens + cache_write_tokens AS tokens,
                   cost_usd
            FROM ops_usage_daily WHERE day = :day AND tenant_id IN (<ids>)""")
        .bind("day", LocalDate.now(clock.withZone(ZoneOffset.UTC)))
        .bindList("ids", tenantIds)
        .map((rs, ctx) -> out.put(rs.getString("tenant_id"),
            new Usage(rs.getLong("tokens"), rs.getBigDecimal("cost_usd"))))
        .list());
    return out;
  }

  private Map<String, List<Views.AlertItem>> alerts(String tenantId, List<String> runIds) {
    Map<String, List<Views.AlertItem>> out = new HashMap<>();
    if (runIds.isEmpty()) {
      return out;
    }
    jdbi.useHandle(h -> h.createQuery("""
            SELECT run_id, severity, title, status, attempts, last_error FROM notifications
            WHERE tenant_id = :tenantId AND run_id IN (<ids>) ORDER BY created_at, id""")
        .bind("tenantId", tenantId)
        .bindList("ids", runIds)
        .map((rs, ctx) -> out.computeIfAbsent(rs.getString("run_id"), k -> new ArrayList<>())
            .add(new Views.AlertItem(rs.getString("severity"), rs.getString("title"), rs.getString("status"),
                rs.getInt("attempts"), rs.getString("last_error"))))
        .list());
    return out;
  }

  private Views.RunItem run(OpsRun r, List<Views.AlertItem> alerts, Instant now) {
    List<Views.ToolCall> calls = new ArrayList<>();
    for (JsonNode a : toolCalls(r.actionsJson())) {
      boolean allowed = a.path("allowed").asBoolean(false);
      String verdict = !allowed ? "refused" : a.path("dryRun").asBoolean(false) ? "dry-run" : "allowed";
      calls.add(new Views.ToolCall(a.path("name").asText(), pretty(a.path("input")), verdict,
          allowed ? null : text(a.path("refusal")), text(a.path("reason")), text(a.path("result"))));
    }
    return new Views.RunItem(r.id(), r.status().wire(), r.trigger().wire(), Format.time(r.startedAt()),
        Format.age(r.startedAt(), now), Format.duration(r.startedAt(), r.finishedAt()),
        r.tokens().input() + r.tokens().output() + r.tokens().cacheRead() + r.tokens().cacheWrite(),
        Format.usd(r.costUsd()), r.model(), r.skipReason() == null ? null : r.skipReason().wire(),
        r.fallbackReason() == null ? null : r.fallbackReason().wire(), r.summary(), r.error(), r.dryRun(),
        r.reasoning() == null || r.reasoning().isBlank() ? null : r.reasoning(), calls, alerts);
  }

  private JsonNode toolCalls(String actionsJson) {
    try {
      JsonNode n = json.readTree(actionsJson == null ? "[]" : actionsJson);
      return n.isArray() ? n : json.createArrayNode();
    } catch (IOException e) {
      return json.createArrayNode();
    }
  }

  private String pretty(JsonNode n) {
    try {
      return n.isMissingNode() ? "" : json.writerWithDefaultPrettyPrinter().writeValueAsString(n);
    } catch (IOException e) {
      return n.toString();
    }
  }

  private static String text(JsonNode n) {
    return n.isMissingNode() || n.isNull() ? null : n.isTextual() ? n.asText() : n.toString();
  }
}
