package io.opsagent.api.routes;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.opsagent.agent.run.RunRepository;
import io.opsagent.agent.run.RunStatus;
import io.opsagent.agent.run.Trigger;
import io.opsagent.api.ApiException;
import io.opsagent.api.ApiServer;
import io.opsagent.api.PathTenant;
import io.opsagent.api.QueryParams;
import io.opsagent.notify.delivery.NotificationRepository;
import io.opsagent.platform.TenantRepository;

/**
 * The audit trail: a tenant's runs (and the alerts it was sent), newest first. Runs are paged with
 * {@code before=<runId>} (the last id of the previous page) and filtered by status and trigger.
 */
public final class RunRoutes implements ApiServer.Routes {
  private static final int MAX_LIMIT = 200;

  private final ObjectMapper json;
  private final TenantRepository tenants;
  private final RunRepository runs;
  private final NotificationRepository notifications;
  private final RunQueries queries;

  public RunRoutes(ObjectMapper json, TenantRepository tenants, RunRepository runs,
      NotificationRepository notifications, RunQueries queries) {
    this.json = json;
    this.tenants = tenants;
    this.runs = runs;
    this.notifications = notifications;
    this.queries = queries;
  }

  @Override
  public void register(Javalin app) {
    app.get("/api/tenants/{tenantId}/ops/runs", this::list);
    app.get("/api/tenants/{tenantId}/ops/runs/{runId}", this::one);
    app.get("/api/tenants/{tenantId}/notifications", this::notifications);
  }

  private void list(Context ctx) {
    QueryParams q = QueryParams.of(ctx, "limit", "before", "status", "trigger");
    String tenantId = tenantId(ctx);
    var page = new RunQueries.Page(q.get("before"),
        q.oneOf("status", RunStatus::fromWire, "running, completed, failed, skipped"),
        q.oneOf("trigger", Trigger::fromWire, "schedule, manual, event"),
        q.limit(20, MAX_LIMIT));
    var found = queries.page(tenantId, page)
        .orElseThrow(() -> ApiException.badRequest("'before' names no run of this tenant"));
    ctx.json(found);
  }

  private void one(Context ctx) {
    QueryParams.of(ctx);
    String tenantId = tenantId(ctx);
    var run = runs.find(tenantId, PathTenant.id(ctx, "runId", "run"))
        .orElseThrow(() -> ApiException.notFound("run"));
    ctx.json(run);
  }

  private void notifications(Context ctx) {
    QueryParams q = QueryParams.of(ctx, "limit");
    String tenantId = tenantId(ctx);
    ctx.json(notifications.listByTenant(tenantId, q.limit(20, MAX_LIMIT)));
  }

  private String tenantId(Context ctx) {
    return PathTenant.require(ctx, tenants);
  }
}
