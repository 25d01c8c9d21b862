package io.opsagent.api.auth;

import static io.opsagent.api.auth.Role.ADMIN;
import static io.opsagent.api.auth.Role.PLATFORM;
import static io.opsagent.api.auth.Role.TENANT;
import static io.opsagent.api.auth.Role.VIEWER;

import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Who may call which route: the one table of roles per method and path template ({@code
 * "/api/tenants/{tenantId}"}, as registered). A route missing from it is refused to everyone (deny
 * by default); {@link #OPEN} routes need no key (health, metrics, the API description, the
 * dashboard's login page). Tenant scoping (another tenant's object answers 404) is applied on top
 * of it by {@link Access}, from the route's path parameters.
 *
 * <p>One route is decided per field: {@code PUT .../ops/settings} changes the mode (admin, tenant)
 * or the daily token budget (admin, platform), see {@link #rolesForSetting}.
 */
public final class AccessPolicy {
  /** The roles of a route that needs no key. */
  public static final Set<Role> OPEN = EnumSet.allOf(Role.class);

  private static final Set<Role> READ = EnumSet.of(ADMIN, PLATFORM, TENANT, VIEWER);
  private static final Set<Role> PLATFORM_CHANGE = EnumSet.of(ADMIN, PLATFORM);
  private static final Set<Role> CHANNELS = EnumSet.of(ADMIN, PLATFORM, TENANT);
  private static final Set<Role> OPERATE = EnumSet.of(ADMIN, TENANT);
  private static final Set<Role> SCHEDULE = EnumSet.of(ADMIN, PLATFORM);
  private static final Set<Role> ADMIN_ONLY = EnumSet.of(ADMIN);
  /** The union of the settings' fields; each field is checked by {@link #rolesForSetting}. */
  private static final Set<Role> SETTINGS = EnumSet.of(ADMIN, PLATFORM, TENANT);

  private final Map<String, Set<Role>> rules = new LinkedHashMap<>();
  private final Set<String> open = new java.util.HashSet<>();

  public AccessPolicy() {
    openRoute("GET /health", "GET /health/ready", "GET /health/live", "GET /metrics", "GET /openapi.json",
        "GET /openapi", "GET /openapi/{file}", "GET /ui/login", "POST /ui/login", "GET /ui/static/{file}");
    // reading: tenants, workspaces, deployments, events, runs, incidents, usage, actions, status
    allow(READ, "GET /api/tenants", "GET /api/tenants/{tenantId}", "GET /api/tenants/{tenantId}/workspaces",
        "GET /api/workspaces/{workspaceId}", "GET /api/workspaces/{workspaceId}/deployments",
        "GET /api/deployments/{deploymentId}", "GET /api/deployments/{deploymentId}/events",
        "GET /api/tenants/{tenantId}/ops/runs", "GET /api/tenants/{tenantId}/ops/runs/{runId}",
        "GET /api/tenants/{tenantId}/notifications", "GET /api/tenants/{tenantId}/incidents",
        "GET /api/tenants/{tenantId}/ops/usage", "GET /api/tenants/{tenantId}/ops/actions",
        "GET /api/tenants/{tenantId}/ops/settings", "GET /api/tenants/{tenantId}/ops/schedule",
        "GET /api/tenants/{tenantId}/notification-channels", "GET /api/ops/kill-switch");
    // the platform's inventory and what it reports
    allow(PLATFORM_CHANGE, "POST /api/tenants", "PATCH /api/tenants/{tenantId}", "DELETE /api/tenants/{tenantId}",
        "POST /api/tenants/{tenantId}/workspaces", "PATCH /api/workspaces/{workspaceId}",
        "DELETE /api/workspaces/{workspaceId}", "POST /api/workspaces/{workspaceId}/deployments",
        "PATCH /api/deployments/{deploymentId}", "DELETE /api/deployments/{deploymentId}",
        "POST /api/deployments/{deploymentId}/events", "PUT /api/tenants/{tenantId}/inventory",
        "POST /api/integrations/alertmanager");
    allow(CHANNELS, "POST /api/tenants/{tenantId}/notification-channels",
        "PATCH /api/tenants/{tenantId}/notification-channels/{channelId}",
        "DELETE /api/tenants/{tenantId}/notification-channels/{channelId}");
    allow(OPERATE, "POST /api/tenants/{tenantId}/incidents/{incidentId}/ack",
        "POST /api/tenants/{tenantId}/ops/cycles");
    allow(SETTINGS, "PUT /api/tenants/{tenantId}/ops/settings");
    allow(SCHEDULE, "PUT /api/tenants/{tenantId}/ops/schedule", "DELETE /api/tenants/{tenantId}/ops/schedule");
    allow(ADMIN_ONLY, "PUT /api/ops/kill-switch", "DELETE /api/ops/kill-switch", "POST /api/keys", "GET /api/keys",
        "DELETE /api/keys/{keyId}");
    // the dashboard: its buttons follow the same rows
    allow(READ, "GET /ui/", "GET /ui/fragments/tenants", "GET /ui/fragments/kill-switch", "POST /ui/logout",
        "GET /ui/tenants/{tenantId}", "GET /ui/tenants/{tenantId}/fragments/live");
    allow(ADMIN_ONLY, "POST /ui/kill-switch/engage", "POST /ui/kill-switch/release");
    allow(OPERATE, "POST /ui/tenants/{tenantId}/run", "POST /ui/tenants/{tenantId}/incidents/{incidentId}/ack");
    allow(SCHEDULE, "POST /ui/tenants/{tenantId}/enable", "POST /ui/tenants/{tenantId}/disable");
  }

  /**
   * The roles that may call {@code method} on the route registered as {@code pathTemplate}; empty
   * when the route is not in the table (refused to every key). {@link #OPEN} for an open route.
   */
  public Set<Role> rolesFor(String method, String pathTemplate) {
    return rule(method, pathTemplate).orElse(Set.of());
  }

  /** The route's row, if the table has one. */
  public Optional<Set<Role>> rule(String method, String pathTemplate) {
    return Optional.ofNullable(rules.get(method + " " + pathTemplate));
  }

  /** Whether the route needs no key. */
  public boolean isOpen(String method, String pathTemplate) {
    return open.contains(method + " " + pathTemplate);
  }

  /** The roles that may change one field of {@code PUT .../ops/settings}. */
  public static Set<Role> rolesForSetting(String field) {
    return switch (field) {
      case "mode" -> OPERATE;
      case "dailyTokenBudget" -> SCHEDULE;
      default -> SETTINGS;
    };
  }

  /** Whether {@code role} may press a dashboard button that posts to {@code path}. */
  public boolean allows(Role role, String method, String pathTemplate) {
    return isOpen(method, pathTemplate) || rolesFor(method, pathTemplate).contains(role);
  }

  private void allow(Set<Role> roles, String... routes) {
    for (String r : routes) {
      if (rules.put(r, roles) != null) {
        throw new IllegalStateException("route listed twice: " + r);
      }
    }
  }

  private void openRoute(String... routes) {
    for (String r : routes) {
      open.add(r);
      rules.put(r, OPEN);
    }
  }
}
