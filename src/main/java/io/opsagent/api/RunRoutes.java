package io.opsagent.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.opsagent.agent.run.RunRepository;
import io.opsagent.notify.delivery.NotificationRepository;
import io.opsagent.platform.TenantRepository;

/** The audit trail: a tenant's runs (and the alerts it was sent), newest first. */
public final class RunRoutes implements ApiServer.Routes {
  private static final int MAX_LIMIT = 200;

  private final ObjectMapper json;
  private final TenantRepository tenants;
  private final RunRepository runs;
  private final NotificationRepository notifications;

  public RunRoutes(ObjectMapper json, TenantRepository tenants, RunRepository runs,
      NotificationRepository notifications) {
    this.json = json;
    this.tenants = tenants;
    this.runs = runs;
    this.notifications = notifications;
  }

  @Override
  public void register(Javalin app) {
    app.get("/api/tenants/{tenantId}/ops/runs", this::list);
    app.get("/api/tenants/{tenantId}/notifications", this::notifications);
  }

  private void list(Context ctx) {
    String tenantId = tenantId(ctx);
    ctx.json(runs.recent(tenantId, limit(ctx)).stream().map(r -> RunView.of(r, json)).toList());
  }

  private void notifications(Context ctx) {
    ctx.json(notifications.listByTenant(tenantId(ctx), limit(ctx)));
  }

  private String tenantId(Context ctx) {
    return PathTenant.require(ctx, tenants);
  }

  private static int limit(Context ctx) {
    String raw = ctx.queryParam("limit");
    if (raw == null) {
      return 20;
    }
    try {
      int n = Integer.parseInt(raw);
      if (n < 1 || n > MAX_LIMIT) {
        throw ApiException.badRequest("limit must be between 1 and " + MAX_LIMIT);
      }
      return n;
    } catch (NumberFormatException e) {
      throw ApiException.badRequest("limit must be an integer");
    }
  }
}
