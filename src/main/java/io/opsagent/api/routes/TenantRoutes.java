package io.opsagent.api.routes;

import io.opsagent.agent.run.OpsRun;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.javalin.http.Context;
import io.opsagent.api.ApiException;
import io.opsagent.api.ApiRoute;
import io.opsagent.api.ApiServer;
import io.opsagent.api.PathTenant;
import io.opsagent.api.QueryParams;
import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Instant;
import java.util.List;

/**
 * Tenants as an operator looks at them: whether the agent is switched on, paused by the circuit
 * breaker (and until when), in which mode it acts, how many deployments are FAILED or DEGRADED, and
 * its latest run. Created with {@code POST /api/tenants} ({@link PlatformRoutes}).
 */
public final class TenantRoutes implements ApiServer.Routes {
  private static final int MAX_LIMIT = 1000;

  private final ObjectMapper json;
  private final TenantStatusQuery statuses;

  public TenantRoutes(ObjectMapper json, TenantStatusQuery statuses) {
    this.json = json;
    this.statuses = statuses;
  }

  /** A tenant with its agent status; {@code pausedUntil} only while paused, {@code lastRun} absent when none. */
  public record TenantView(String id, String name,
      @Schema(description = "the platform's own id for it (null when none)") String externalId, Instant createdAt,
      @Schema(description = "the schedule switch (…/ops/schedule)") boolean opsEnabled,
      @Schema(description = "true while the circuit breaker is open") boolean paused,
      @JsonInclude(JsonInclude.Include.NON_NULL) Instant pausedUntil, String mode,
      @Schema(description = "FAILED deployments") long failed,
      @Schema(description = "DEGRADED deployments") long degraded,
      @Schema(description = "a FAILED or DEGRADED deployment has no enabled channel to be paged on") boolean unpageable,
      @JsonInclude(JsonInclude.Include.NON_NULL) OpsRun lastRun) {}

  @Override
  public List<ApiRoute> routes() {
    return List.of(
        ApiRoute.of("GET /api/tenants", "List tenants with their agent status, in id order", this::list)
            .query("limit", "integer", "default 100, at most 1000").query("after", "string", "the last id of the previous page")
            .query("externalId", "string", "only the live tenant with this externalId")
            .answers(200, "the tenants", TenantView.class, true),
        ApiRoute.of("GET /api/tenants/{tenantId}", "One tenant with its agent status", this::one)
            .answers(200, "the tenant", TenantView.class));
  }

  private void list(Context ctx) {
    QueryParams q = QueryParams.of(ctx, "limit", "after", "externalId");
    String own = io.opsagent.api.auth.Caller.of(ctx).tenantId(); // a scoped key lists its tenant only
    List<TenantStatusQuery.TenantStatus> page;
    if (q.get("externalId").isPresent()) {
      page = statuses.byExternalId(q.get("externalId").get())
          .filter(s -> own == null || s.tenant().id().equals(own)).stream().toList();
    } else if (own != null) {
      page = statuses.one(own).filter(s -> s.tenant().id().compareTo(q.get("after").orElse("")) > 0)
          .stream().toList();
    } else {
      page = statuses.list(q.get("after"), q.limit(100, MAX_LIMIT));
    }
    ctx.json(page.stream().map(TenantRoutes::view).toList());
  }

  private void one(Context ctx) {
    QueryParams.of(ctx);
    String tenantId = PathTenant.id(ctx, "tenantId", "tenant");
    ctx.json(view(statuses.one(tenantId).orElseThrow(() -> ApiException.notFound("tenant"))));
  }

  static TenantView view(TenantStatusQuery.TenantStatus s) {
    return new TenantView(s.tenant().id(), s.tenant().name(), s.tenant().externalId(), s.tenant().createdAt(), s.opsEnabled(), s.paused(),
        s.pausedUntil(), s.mode(), s.failed(), s.degraded(), s.unpageable(),
        s.lastRun());
  }
}
