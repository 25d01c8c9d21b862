package io.opsagent.api.routes;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.opsagent.agent.run.RunRepository;
import io.opsagent.agent.run.Trigger;
import io.opsagent.api.ApiException;
import io.opsagent.api.ApiServer;
import io.opsagent.api.PathTenant;
import io.opsagent.platform.TenantRepository;
import io.opsagent.queue.schedule.OpsSchedule;
import io.opsagent.queue.schedule.OpsScheduler;
import java.util.LinkedHashMap;
import java.util.Map;

/** Manual cycles and the tenant's recurring schedule. */
public final class OpsRoutes implements ApiServer.Routes {
  private final TenantRepository tenants;
  private final OpsScheduler scheduler;
  private final RunRepository runs;

  public OpsRoutes(TenantRepository tenants, OpsScheduler scheduler, RunRepository runs) {
    this.tenants = tenants;
    this.scheduler = scheduler;
    this.runs = runs;
  }

  @Override
  public void register(Javalin app) {
    app.post("/api/tenants/{tenantId}/ops/cycles", this::trigger);
    app.get("/api/tenants/{tenantId}/ops/usage", this::usage);
    app.get("/api/tenants/{tenantId}/ops/schedule", ctx -> ctx.json(view(scheduler.schedule(tenantId(ctx)))));
    app.put("/api/tenants/{tenantId}/ops/schedule", ctx -> {
      String tenantId = tenantId(ctx);
      scheduler.enable(tenantId);
      ctx.json(view(scheduler.schedule(tenantId)));
    });
    app.delete("/api/tenants/{tenantId}/ops/schedule", ctx -> {
      String tenantId = tenantId(ctx);
      scheduler.disable(tenantId);
      ctx.json(view(scheduler.schedule(tenantId)));
    });
  }

  /**
   * Queues a manual cycle: at once, or as the tenant's one pending cycle while one runs. Triggers
   * that coalesce into one cycle answer the same {@code runId}.
   */
  private void trigger(Context ctx) {
    String tenantId = tenantId(ctx);
    OpsScheduler.QueuedCycle queued = scheduler.runNow(tenantId, Trigger.MANUAL);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("tenantId", tenantId);
    out.put("queued", true);
    out.put("pending", queued.pending());
    out.put("runId", queued.runId());
    ctx.status(202).json(out);
  }

  /** The tenant's daily usage rollup, newest day first ({@code days}: 1–366, default 30). */
  private void usage(Context ctx) {
    String tenantId = tenantId(ctx);
    int days = days(ctx);
    ctx.json(runs.usage(tenantId, days).stream().map(u -> {
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("day", u.day().toString());
      out.put("runs", u.runs());
      out.put("skippedRuns", u.skippedRuns());
      out.put("modelCalls", u.modelCalls());
      out.put("inputTokens", u.tokens().input());
      out.put("outputTokens", u.tokens().output());
      out.put("cacheReadTokens", u.tokens().cacheRead());
      out.put("cacheWriteTokens", u.tokens().cacheWrite());
      out.put("costUsd", u.costUsd());
      return out;
    }).toList());
  }

  private static int days(Context ctx) {
    for (String name : ctx.queryParamMap().keySet()) {
      if (!"days".equals(name)) {
        throw ApiException.badRequest("unknown query parameter '" + name + "' (this route takes: days)");
      }
    }
    String raw = ctx.queryParam("days");
    if (raw == null) {
      return 30;
    }
    try {
      int days = Integer.parseInt(raw);
      if (days >= 1 && days <= 366) {
        return days;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw ApiException.badRequest("days must be an integer between 1 and 366");
  }

  private String tenantId(Context ctx) {
    return PathTenant.require(ctx, tenants);
  }

  private static Map<String, Object> view(OpsSchedule s) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("enabled", s.enabled());
    out.put("interval", s.interval().toString());
    out.put("nextRunAt", s.nextRunAt());
    return out;
  }
}
