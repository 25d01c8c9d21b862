package io.opsagent.api.openapi;

import io.opsagent.api.ApiRoute;
import java.util.List;

/**
 * The dashboard's pages and buttons as the route table describes them (HTML; a session cookie from
 * /ui/login instead of the bearer token). The dashboard registers their handlers itself.
 */
public final class DashboardPages {
  private static final String HTML = "text/html";
  private static final String STATE = "the new state (JSON, for the page's script)";

  private DashboardPages() {}

  public static List<ApiRoute> routes() {
    return List.of(
        page("/ui/login", "Dashboard: the login form; no auth"),
        ApiRoute.of("POST /ui/login", "Dashboard: log in with the API token (form field token); sets the session cookie",
            null).text(303, "to /ui/", HTML),
        ApiRoute.of("POST /ui/logout", "Dashboard: end the session (CSRF token required)", null)
            .text(303, "to /ui/login", HTML),
        ApiRoute.of("GET /ui/static/{file}", "Dashboard: its script and stylesheet", null)
            .text(200, "the file", "text/plain"),
        page("/ui/", "Dashboard: every tenant's agent status"),
        page("/ui/fragments/tenants", "Dashboard: the tenants table, for live updates"),
        page("/ui/fragments/kill-switch", "Dashboard: the kill switch banner, for live updates"),
        button("/ui/kill-switch/engage", "Dashboard: engage the kill switch (form field reason, required; CSRF token required)"),
        button("/ui/kill-switch/release", "Dashboard: release the kill switch (CSRF token required)"),
        page("/ui/tenants/{tenantId}", "Dashboard: one tenant's runs, usage and status"),
        page("/ui/tenants/{tenantId}/fragments/live", "Dashboard: a tenant's live parts"),
        button("/ui/tenants/{tenantId}/run", "Dashboard: queue a manual cycle (CSRF token required)"),
        button("/ui/tenants/{tenantId}/incidents/{incidentId}/ack", "Dashboard: acknowledge an open incident of"
            + " the tenant: no more reminders (CSRF token required)").text(404, "no such incident of this tenant", "text/plain"),
        button("/ui/tenants/{tenantId}/enable", "Dashboard: switch the schedule on (CSRF token required)"),
        button("/ui/tenants/{tenantId}/disable", "Dashboard: switch the schedule off (CSRF token required)"));
  }

  private static ApiRoute page(String path, String summary) {
    return ApiRoute.of("GET " + path, summary, null).text(200, "an HTML page", HTML);
  }

  private static ApiRoute button(String path, String summary) {
    return ApiRoute.of("POST " + path, summary, null).answers(200, STATE, null).text(303, "back to the page, for a plain form", HTML);
  }
}
