package io.opsagent.api;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.opsagent.agent.CycleAlreadyRunningException;
import io.opsagent.agent.run.Trigger;
import io.opsagent.platform.TenantRepository;
import io.opsagent.queue.schedule.OpsSchedule;
import io.opsagent.queue.schedule.OpsScheduler;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;

/** Manual cycles and the tenant's recurring schedule. */
public final class OpsRoutes implements ApiServer.Routes {
  private final TenantRepository tenants;
  private final OpsScheduler scheduler;
  private final Predicate<String> cycleRunning;

  /** {@code cycleRunning}: whether a cycle of the tenant runs anywhere, queued or not (e.g. the CLI). */
  public OpsRoutes(TenantRepository tenants, OpsScheduler scheduler, Predicate<String> cycleRunning) {
    this.tenants = tenants;
    this.scheduler = scheduler;
    this.cycleRunning = cycleRunning;
  }

  @Override
  public void register(Javalin app) {
    app.exception(CycleAlreadyRunningException.class, (e, ctx) -> ctx.status(409)
        .json(Map.of("error", "a cycle of this tenant is running; try again when it has finished")));
    app.post("/api/tenants/{tenantId}/ops/cycles", this::trigger);
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

  private void trigger(Context ctx) {
    String tenantId = tenantId(ctx);
    if (cycleRunning.test(tenantId)) {
      throw new CycleAlreadyRunningException(tenantId);
    }
    scheduler.runNow(tenantId, Trigger.MANUAL);
    ctx.status(202).json(Map.of("tenantId", tenantId, "queued", true));
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
