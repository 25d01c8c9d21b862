package io.opsagent.api.routes;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.opsagent.api.ApiException;
import io.opsagent.api.ApiServer;
import io.opsagent.api.PathTenant;
import io.opsagent.api.QueryParams;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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

  @Override
  public void register(Javalin app) {
    app.get("/api/tenants", this::list);
    app.get("/api/tenants/{tenantId}", this::one);
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
    ctx.json(page.stream().map(s -> toJson(s, json)).toList());
  }

  private void one(Context ctx) {
    QueryParams.of(ctx);
    String tenantId = PathTenant.id(ctx, "tenantId", "tenant");
    ctx.json(toJson(statuses.one(tenantId).orElseThrow(() -> ApiException.notFound("tenant")), json));
  }

  static Map<String, Object> toJson(TenantStatusQuery.TenantStatus s, ObjectMapper json) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("id", s.tenant().id());
    out.put("name", s.tenant().name());
    out.put("externalId", s.tenant().externalId());
    out.put("createdAt", s.tenant().createdAt());
    out.put("opsEnabled", s.opsEnabled());
    out.put("paused", s.paused());
    if (s.pausedUntil() != null) {
      out.put("pausedUntil", s.pausedUntil());
    }
    out.put("mode", s.mode());
    out.put("failed", s.failed());
    out.put("degraded", s.degraded());
    out.put("unpageable", s.unpageable());
    if (s.lastRun() != null) {
      out.put("lastRun", RunView.of(s.lastRun(), json));
    }
    return out;
  }
}
