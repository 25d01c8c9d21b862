package io.opsagent.api.routes;

import io.opsagent.api.ApiRoute;
import io.opsagent.action.ActionRepository;
import io.opsagent.action.OpsAction;
import io.opsagent.api.ApiServer;
import io.opsagent.api.PathTenant;
import io.opsagent.api.QueryParams;
import io.opsagent.platform.TenantRepository;
import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Instant;
import java.util.List;

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

  /** A restart or rollback the agent asked the platform for; {@code id} is sent on every attempt. */
  public record Action(String id, String deploymentId, String workspaceId,
      @Schema(allowableValues = {"restart", "rollback"}) String action, String toVersion, String reason,
      String runId, @Schema(allowableValues = {"queued", "sent", "cancelled", "failed", "helped", "not_helped"})
      String status, int attempts, String lastError, Instant requestedAt, Instant sentAt, Instant finishedAt) {
    static Action of(OpsAction a) {
      return new Action(a.id(), a.deploymentId(), a.workspaceId(), a.action().wire(), a.toVersion(), a.reason(),
          a.runId(), a.status().wire(), a.attempts(), a.lastError(), a.requestedAt(), a.sentAt(), a.finishedAt());
    }
  }

  @Override
  public List<ApiRoute> routes() {
    return List.of(ApiRoute.of("GET /api/tenants/{tenantId}/ops/actions",
        "The tenant's platform actions, newest first", ctx -> {
          QueryParams q = QueryParams.of(ctx, "limit");
          String tenantId = PathTenant.require(ctx, tenants);
          ctx.json(actions.list(tenantId, q.limit(20, MAX_LIMIT)).stream().map(Action::of).toList());
        }).query("limit", "integer", "default 20, at most 200").answers(200, "the actions", Action.class, true));
  }
}
