package io.opsagent.ui;

import java.util.List;

/**
 * What the dashboard's templates show: plain values, already formatted for display. Every string
 * here may come from a tenant or the model; the templates print them through jte's HTML escaping,
 * never raw. (Public only because the compiled templates live in jte's own package.)
 */
public final class Views {
  private Views() {}

  /** The tenants page. */
  public record TenantsPage(List<TenantRow> tenants, KillSwitchView killSwitch, String csrf, Can can) {}

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
      String costToday) {}

  /** A tenant's page. */
  public record TenantPage(Live live, KillSwitchView killSwitch, String csrf) {}

  /**
   * What a tenant's page shows and refreshes while cycles run: status, deployments needing attention,
   * failing channels, open and recently resolved incidents, platform actions, runs, usage.
   */
  public record Live(TenantRow tenant, List<DeploymentItem> attention, List<ChannelItem> failingChannels,
      List<IncidentItem> openIncidents,
      List<IncidentItem> resolvedIncidents, List<ActionItem> actions, List<RunItem> runs, Chart chart,
      String csrf, Can can, java.util.Map<String, String> by) {
    /** Who acknowledged an incident or asked for a run ("key name (key id)"), or null. */
    public String by(String id) {
      return by.get(id);
    }
  }

  /**
   * One incident; {@code resolvedAt} and {@code acknowledgedAt} may be null. {@code pageStatus} is
   * {@code paged} or {@code unpaged} (as the API's); {@code page} says it in words: "paged at …",
   * "unpaged, paging since …" (a page is being retried) or "unpaged".
   */
  public record IncidentItem(String id, String key, String problem, String severity, String title, int alerts,
      String openedAt, String resolvedAt, String acknowledgedAt, String pageStatus, String page) {}

  /**
   * A failing notification channel: {@code workspace} is its workspace's id, or "tenant-wide";
   * {@code lastError} never holds a URL or secret.
   */
  public record ChannelItem(String name, String type, String workspace, String failingSince, String lastError) {}

  /** One platform action ({@code ops_actions}); {@code toVersion}, {@code lastError}, {@code finishedAt} may be null. */
  public record ActionItem(String action, String deploymentId, String toVersion, String status, String reason,
      int attempts, String lastError, String requestedAt, String finishedAt) {}

  /** A FAILED or DEGRADED deployment. */
  public record DeploymentItem(String name, String status, String workspaceId) {}

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

  /** Tokens (bars) and cost (line) per day, laid out for an inline SVG of {@code width} x {@code height}. */
  public record Chart(int width, int height, List<Bar> bars, String costPoints, String maxTokens,
      String maxCost, String firstDay, String lastDay, long totalTokens, String totalCost) {}

  /** One day's bar; {@code label} is its tooltip. */
  public record Bar(int x, int y, int width, int height, String label) {}
}
