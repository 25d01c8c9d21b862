package io.opsagent.api.routes;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.http.Context;
import io.opsagent.agent.run.OpsRun;
import io.opsagent.agent.run.RunRepository;
import io.opsagent.agent.run.RunStatus;
import io.opsagent.api.ApiException;
import io.opsagent.api.ApiRoute;
import io.opsagent.api.ApiServer;
import io.opsagent.api.PathTenant;
import io.opsagent.api.QueryParams;
import io.opsagent.notify.Delivery;
import io.opsagent.notify.delivery.NotificationRepository;
import io.opsagent.platform.TenantRepository;
import io.opsagent.queue.schedule.Trigger;
import java.util.List;

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
  public List<ApiRoute> routes() {
    return List.of(
        ApiRoute.of("GET /api/tenants/{tenantId}/ops/runs", "The tenant's runs, newest first", this::list)
            .query("limit", "integer", "default 20, at most 200").query("before", "string", "the last id of the previous page")
            .query("status", "string", "running, completed, failed or skipped")
            .query("trigger", "string", "schedule, manual or event").answers(200, "the runs", OpsRun.class, true),
        ApiRoute.of("GET /api/tenants/{tenantId}/ops/runs/{runId}", "One run", this::one).answers(200, "the run", OpsRun.class),
        ApiRoute.of("GET /api/tenants/{tenantId}/notifications", "The delivery log, newest first", this::notifications)
            .query("limit", "integer", "default 20, at most 200").answers(200, "the deliveries", Delivery.class, true));
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
