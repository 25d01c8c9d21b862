package io.opsagent.ui;

import java.util.List;

/**
 * What the dashboard's templates show: plain values, already formatted for display. Every string
 * here may come from a tenant or the model; the templates print them through jte's HTML escaping,
 * never raw. (Public only because the compiled templates live in jte's own package.)
 */
public final class Views {
  private Views() {}

  /**
   * The tenants page: {@code filter} is what the search form asked for ({@code q}, {@code status}),
   * {@code matched} how many tenants it matched before the page's cap.
   */
  public record TenantsPage(List<TenantRow> tenants, KillSwitchView killSwitch, String csrf, Can can,
      TenantFilter filter, int matched) {}

  /**
   * The overview's search: {@code q} a part of the tenant's name (or its id), empty for any;
   * {@code status} one of {@link #STATUSES}, empty for any.
   */
  public record TenantFilter(String q, String status) {
    public static final List<String> STATUSES = List.of("failed", "degraded", "ok", "paused", "disabled");

    /** The query string that repeats this filter ("" when there is none), for links and live updates. */
    public String query() {
      StringBuilder b = new StringBuilder();
      if (!q.isEmpty()) {
        b.append("q=").append(java.net.URLEncoder.encode(q, java.nio.charset.StandardCharsets.UTF_8));
      }
      if (!status.isEmpty()) {
        b.append(b.length() == 0 ? "" : "&").append("status=").append(status);
      }
      return b.length() == 0 ? "" : "?" + b;
    }

    public boolean any() {
      return q.isEmpty() && status.isEmpty();
    }
  }

  /** The cross-tenant list of open incidents. */
  public record IncidentsPage(List<IncidentItem> incidents, KillSwitchView killSwitch, String csrf, Can can,
      boolean allTenants) {}

  /** A tenant's notification channels, each with its latest deliveries. */
  public record ChannelsPage(TenantRow tenant, List<ChannelRow> channels, KillSwitchView killSwitch, String csrf,
      Can can) {}

  /**
   * One notification channel: never its configuration (no URL, token or secret). {@code failing} and
   * {@code lastError} are its {@link io.opsagent.notify.ChannelHealth}; {@code workspaceId} and
   * {@code workspaceName} are null for a tenant-wide channel; {@code failingSince},
   * {@code lastDeliveredAt} may be null.
   */
  public record ChannelRow(String id, String name, String type, String workspaceId, String workspaceName,
      boolean enabled, boolean failing, String failingSince, String lastError, String lastDeliveredAt,
      List<DeliveryItem> deliveries) {}

  /** One delivery of a notice to a channel; {@code lastError} and {@code deliveredAt} may be null. */
  public record DeliveryItem(String id, String createdAt, String severity, String title, String status,
      int attempts, String lastError, String deliveredAt) {}

  /**
   * Who is logged in (the key's name and role) and which buttons that role may press, as the route
   * table says: the kill switch, a manual cycle, acknowledging, switching the schedule.
   */
  public record Can(String keyName, String role, boolean killSwitch, boolean run, boolean ack, boolean schedule) {}

  /**
   * The cluster-wide kill switch; {@code reason}, {@code since} and {@code by} (the key that engaged
   * it) are null when released.
   */
  public record KillSwitchView(boolean engaged, String reason, String since, String by) {}

  /** The banner at the top of every page: the kill switch with its button (when the role may press it). */
  public record Banner(KillSwitchView killSwitch, String csrf, String back, Can can) {}

  /** One tenant's agent status; {@code pausedUntil}, {@code lastRunStatus} and {@code lastRunAge} may be null. */
  public record TenantRow(String id, String name, boolean opsEnabled, boolean paused, String pausedUntil,
      String mode, int failed, int degraded, String lastRunStatus, String lastRunAge, long tokensToday,
      String costToday) {
    /** FAILED when a deployment is FAILED, else DEGRADED when one is DEGRADED, else OK. */
    public String health() {
      return failed > 0 ? "FAILED" : degraded > 0 ? "DEGRADED" : "OK";
    }
  }

  /** A tenant's page. */
  public record TenantPage(Live live, KillSwitchView killSwitch, String csrf) {}

  /**
   * What a tenant's page shows and refreshes while cycles run: status, deployments needing attention,
   * failing channels, open and recently resolved incidents, platform actions, runs, usage.
   */
  public record Live(TenantRow tenant, List<DeploymentItem> attention, List<ChannelItem> failingChannels,
      List<IncidentItem> openIncidents,
      List<IncidentItem> resolvedIncidents, List<ActionItem> actions, List<RunItem> runs, Chart chart,
      String csrf, Can can, java.util.Map<String, String> by, int days) {
    /** Who acknowledged an incident or asked for a run ("key name (key id)"), or null. */
    public String by(String id) {
      return by.get(id);
    }
  }

  /**
   * One incident with the names of its tenant and deployment (the deployment's is its id when it is
   * gone); {@code resolvedAt} and {@code acknowledgedAt} may be null. {@code pageStatus} is
   * {@code paged} or {@code unpaged} (as the API's); {@code pageState} is {@code paged},
   * {@code paging} (a page is on its way, being retried) or {@code unpaged}; {@code page} says it
   * in words: "paged at …", "being paged since …" or "unpaged".
   */
  public record IncidentItem(String id, String key, String problem, String severity, String title, int alerts,
      String openedAt, String resolvedAt, String acknowledgedAt, String pageStatus, String page,
      String tenantId, String tenantName, String deploymentId, String deploymentName, String pageState) {}

  /**
   * A failing notification channel: {@code workspace} is "workspace {name}", or "tenant-wide";
   * {@code lastError} never holds a URL or secret.
   */
  public record ChannelItem(String id, String name, String type, String workspace, String failingSince,
      String lastError) {}

  /** One platform action ({@code ops_actions}); {@code toVersion}, {@code lastError}, {@code finishedAt} may be null. */
  public record ActionItem(String action, String deploymentId, String deploymentName, String toVersion,
      String status, String reason, int attempts, String lastError, String requestedAt, String finishedAt) {}

  /** A FAILED or DEGRADED deployment. */
  public record DeploymentItem(String id, String name, String status, String workspaceId) {}

  /** One run of the timeline with everything it opens to. */
  public record RunItem(String id, String status, String trigger, String startedAt, String age,
      String duration, long tokens, String cost, String model, String skipReason, String fallbackReason,
      String summary, String error, boolean dryRun, String reasoning, List<ToolCall> toolCalls,
      List<AlertItem> alerts) {}

  /**
   * One tool call of a run: {@code verdict} is allowed, refused or dry-run; {@code refusal} is a refused
   * call's reason code ({@code cooldown}, {@code invalid_input}, …), null otherwise.
   */
  public record ToolCall(String name, String input, String verdict, String refusal, String reason,
      String result) {}

  /** An alert a run sent to one channel, with its delivery status. */
  public record AlertItem(String severity, String title, String status, int attempts, String lastError) {}

  /**
   * Tokens (bars, left axis) and cost in USD (line, right axis) per UTC day, laid out for an inline
   * SVG of {@code width} x {@code height}: the plot spans {@code left}..{@code right} and
   * {@code top}..{@code bottom}; {@code tokenTicks} and {@code costTicks} are the y-axes' labels,
   * {@code dayTicks} the x-axis'.
   */
  public record Chart(int width, int height, List<Bar> bars, String costPoints, String maxTokens,
      String maxCost, String firstDay, String lastDay, long totalTokens, String totalCost, int days,
      int left, int right, int top, int bottom, List<Tick> tokenTicks, List<Tick> costTicks,
      List<Tick> dayTicks) {}

  /** One label of an axis, at {@code at} (y for the y-axes, x for the x-axis). */
  public record Tick(int at, String label) {}

  /** One day's bar; {@code label} is its tooltip. */
  public record Bar(int x, int y, int width, int height, String label) {}
}
