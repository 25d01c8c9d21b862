package io.opsagent.api.routes;

import io.javalin.http.Context;
import io.opsagent.agent.run.RunRepository;
import io.opsagent.api.ApiRoute;
import io.opsagent.api.ApiServer;
import io.opsagent.api.PathTenant;
import io.opsagent.api.QueryParams;
import io.opsagent.platform.TenantRepository;
import io.opsagent.queue.schedule.OpsSchedule;
import io.opsagent.queue.schedule.OpsScheduler;
import io.opsagent.queue.schedule.Trigger;
import io.swagger.v3.oas.annotations.media.Schema;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

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

  /** A queued cycle; {@code runId} is shared by triggers that coalesce. */
  public record CycleQueued(String tenantId, boolean queued,
      @Schema(description = "true when queued behind a running cycle") boolean pending, String runId) {}

  /** A tenant's model usage on one UTC day. */
  public record UsageDay(String day, long runs, long skippedRuns, long modelCalls, long inputTokens,
      long outputTokens, long cacheReadTokens, long cacheWriteTokens, BigDecimal costUsd) {}

  /** A tenant's recurring cycle; {@code interval} is an ISO-8601 duration. */
  public record Schedule(boolean enabled, String interval, Instant nextRunAt) {
    static Schedule of(OpsSchedule s) {
      return new Schedule(s.enabled(), s.interval().toString(), s.nextRunAt());
    }
  }

  @Override
  public List<ApiRoute> routes() {
    String schedule = "/api/tenants/{tenantId}/ops/schedule";
    return List.of(
        ApiRoute.of("POST /api/tenants/{tenantId}/ops/cycles", "Queue a cycle now (manual)", this::trigger)
            .answers(202, "queued", CycleQueued.class),
        ApiRoute.of("GET /api/tenants/{tenantId}/ops/usage", "Model usage per UTC day, newest first", this::usage)
            .query("days", "integer", "default 30, at most 366").answers(200, "the days", UsageDay.class, true),
        ApiRoute.of("GET " + schedule, "The tenant's recurring cycle",
            ctx -> ctx.json(Schedule.of(scheduler.schedule(tenantId(ctx))))).answers(200, "the schedule", Schedule.class),
        ApiRoute.of("PUT " + schedule, "Switch the recurring cycle on", ctx -> {
          String tenantId = tenantId(ctx);
          scheduler.enable(tenantId);
          ctx.json(Schedule.of(scheduler.schedule(tenantId)));
        }).answers(200, "the schedule", Schedule.class),
        ApiRoute.of("DELETE " + schedule, "Switch the recurring cycle off", ctx -> {
          String tenantId = tenantId(ctx);
          scheduler.disable(tenantId);
          ctx.json(Schedule.of(scheduler.schedule(tenantId)));
        }).answers(200, "the schedule", Schedule.class));
  }

  /**
   * Queues a manual cycle: at once, or as the tenant's one pending cycle while one runs. Triggers
   * that coalesce into one cycle answer the same {@code runId}.
   */
  private void trigger(Context ctx) {
    String tenantId = tenantId(ctx);
    OpsScheduler.QueuedCycle queued = scheduler.runNow(tenantId, Trigger.MANUAL);
    ctx.status(202).json(new CycleQueued(tenantId, true, queued.pending(), queued.runId()));
  }

  /** The tenant's daily usage rollup, newest day first ({@code days}: 1–366, default 30). */
  private void usage(Context ctx) {
    String tenantId = tenantId(ctx);
    int days = QueryParams.of(ctx, "days").intBetween("days", 30, 366);
    ctx.json(runs.usage(tenantId, days).stream().map(u -> new UsageDay(u.day().toString(), u.runs(),
        u.skippedRuns(), u.modelCalls(), u.tokens().input(), u.tokens().output(), u.tokens().cacheRead(),
        u.tokens().cacheWrite(), u.costUsd())).toList());
  }

  private String tenantId(Context ctx) {
    return PathTenant.require(ctx, tenants);
  }
}
