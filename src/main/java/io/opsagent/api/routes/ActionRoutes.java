package io.opsagent.api.routes;

import io.javalin.Javalin;
import io.opsagent.action.ActionRepository;
import io.opsagent.action.OpsAction;
import io.opsagent.api.ApiServer;
import io.opsagent.api.PathTenant;
import io.opsagent.api.QueryParams;
import io.opsagent.platform.TenantRepository;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The agent's platform actions (restart, rollback) of a tenant, newest first, each with its status
 * from {@code queued} to {@code helped} / {@code not_helped}.
 */
public final class ActionRoutes implements ApiServer.Routes {
  private static final int MAX_LIMIT = 200;

  private final TenantRepository tenants;
  private final ActionRepository actions;

  public ActionRoutes(TenantRepository tenants, ActionRepository actions) {
    this.tenants = tenants;
    this.actions = actions;
  }

  @Override
  public void register(Javalin app) {
    app.get("/api/tenants/{tenantId}/ops/actions", ctx -> {
      QueryParams q = QueryParams.of(ctx, "limit");
      String tenantId = PathTenant.require(ctx, tenants);
      ctx.json(actions.list(tenantId, q.limit(20, MAX_LIMIT)).stream().map(ActionRoutes::view).toList());
    });
  }

  static Map<String, Object> view(OpsAction a) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("id", a.id());
    out.put("deploymentId", a.deploymentId());
    out.put("workspaceId", a.workspaceId());
    out.put("action", a.action().wire());
    out.put("toVersion", a.toVersion());
    out.put("reason", a.reason());
    out.put("runId", a.runId());
    out.put("status", a.status().wire());
    out.put("attempts", a.attempts());
    out.put("lastError", a.lastError());
    out.put("requestedAt", a.requestedAt());
    out.put("sentAt", a.sentAt());
    out.put("finishedAt", a.finishedAt());
    return out;
  }
}
