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
 * tenants or runs: the tenant statuses come from the API's {@link TenantStatusQuery}, today's usage
 * for all listed tenants is one query, a timeline's alerts are one query for all its runs; a tenant's
 * open incidents, resolved incidents, failing channels and platform actions are one query each.
 */
final class DashboardQueries {
  static final int MAX_TENANTS = 500;
  static final int TIMELINE_RUNS = 50;
  static final int RESOLVED_INCIDENTS = 20;
  static final int ACTIONS = 20;

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

  List<Views.TenantRow> tenants() {
    List<TenantStatus> page = statuses.list(Optional.empty(), MAX_TENANTS);
    Map<String, Usage> today = usageToday(page.stream().map(s -> s.tenant().id()).toList());
    Instant now = clock.instant();
    return page.stream().map(s -> row(s, today.get(s.tenant().id()), now)).toList();
  }

  Optional<Views.TenantRow> tenant(String tenantId) {
    Instant now = clock.instant();
    return statuses.one(tenantId).map(s -> row(s, usageToday(List.of(tenantId)).get(tenantId), now));
  }

  List<Views.DeploymentItem> attention(String tenantId) {
    return deployments.listByTenant(tenantId, List.of(DeploymentStatus.FAILED, DeploymentStatus.DEGRADED))
        .stream().map(d -> new Views.DeploymentItem(d.name(), d.status().name(), d.workspaceId())).toList();
  }

  List<Views.RunItem> timeline(String tenantId) {
    List<OpsRun> recent = runs.recent(tenantId, TIMELINE_RUNS);
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
    List<Incident> found = more.incidents().list(tenantId, status);
    return found.stream().limit(status == Incident.Status.RESOLVED ? RESOLVED_INCIDENTS : found.size())
        .map(i -> new Views.IncidentItem(i.id(), i.incidentKey(), i.problem().wire(), i.severity().wire(), i.title(),
            i.alerts(), Format.time(i.openedAt()), Format.time(i.resolvedAt()), Format.time(i.acknowledgedAt()),
            i.pageStatus(), page(i)))
        .toList();
  }

  private static String page(Incident i) {
    if (i.pagedAt() != null) {
      return "paged at " + Format.time(i.pagedAt());
    }
    return i.pagingSince() != null ? "unpaged, paging since " + Format.time(i.pagingSince()) : "unpaged";
  }

  /** The tenant's enabled channels that are failing now (see {@link ChannelHealth}), oldest failure first. */
  List<Views.ChannelItem> failingChannels(String tenantId) {
    return jdbi.withHandle(h -> h.createQuery("""
            SELECT name, type, workspace_id, failing_since, last_error FROM notification_channels
            WHERE tenant_id = :tenantId AND enabled = TRUE AND deleted_at IS NULL AND failing_since <= :cutoff
            ORDER BY failing_since, id""")
        .bind("tenantId", tenantId)
        .bind("cutoff", clock.instant().minus(ChannelHealth.FAILING_AFTER))
        .map((rs, ctx) -> new Views.ChannelItem(rs.getString("name"), rs.getString("type"),
            rs.getString("workspace_id") == null ? "tenant-wide" : rs.getString("workspace_id"),
            Format.time(Times.instant(rs.getTimestamp("failing_since"))), rs.getString("last_error")))
        .list());
  }

  List<Views.ActionItem> actions(String tenantId) {
    return more.actions().list(tenantId, ACTIONS).stream().map(DashboardQueries::action).toList();
  }

  private static Views.ActionItem action(OpsAction a) {
    return new Views.ActionItem(a.action().wire(), a.deploymentId(), a.toVersion(), a.status().wire(), a.reason(),
        a.attempts(), a.lastError(), Format.time(a.requestedAt()), Format.time(a.finishedAt()));
  }

  Views.Chart usageChart(String tenantId) {
    return UsageChart.of(runs.usage(tenantId, UsageChart.DAYS), LocalDate.now(clock.withZone(ZoneOffset.UTC)));
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
