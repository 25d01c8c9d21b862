package io.opsagent.api.routes;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.opsagent.api.ApiException;
import io.opsagent.api.ApiRoute;
import io.opsagent.api.ApiServer;
import io.opsagent.api.JsonBody;
import io.opsagent.api.Line;
import io.opsagent.api.PathTenant;
import io.opsagent.api.QueryParams;
import io.opsagent.platform.AlreadyExistsException;
import io.opsagent.platform.Deployment;
import io.opsagent.platform.DeploymentEvent;
import io.opsagent.platform.DeploymentRepository;
import io.opsagent.platform.PlatformObjects;
import io.opsagent.platform.Tenant;
import io.opsagent.platform.TenantRepository;
import io.opsagent.platform.Workspace;
import io.opsagent.platform.WorkspaceRepository;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.NotNull;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Reading, renaming and deleting tenants, workspaces and deployments one by one, and a deployment's
 * events. Delete is soft ({@link PlatformObjects}): afterwards the object answers 404, its name and
 * external id are free, the agent stops watching it, and its history stays. A name or external id
 * a live object of the same parent holds is a 409 {@code {"error", "id"}} naming that object, on
 * every route that sets one.
 */
public final class PlatformObjectRoutes implements ApiServer.Routes {
  private static final int MAX_EVENTS = 200;

  private final TenantRepository tenants;
  private final WorkspaceRepository workspaces;
  private final DeploymentRepository deployments;
  private final PlatformObjects objects;
  private final TenantStatusQuery statuses;

  public PlatformObjectRoutes(TenantRepository tenants, WorkspaceRepository workspaces,
      DeploymentRepository deployments, PlatformObjects objects, TenantStatusQuery statuses) {
    this.tenants = tenants;
    this.workspaces = workspaces;
    this.deployments = deployments;
    this.objects = objects;
    this.statuses = statuses;
  }

  /** {@code PATCH /api/tenants/{tenantId}} and {@code PATCH /api/workspaces/{workspaceId}}: only the fields given. */
  public record Rename(
      @Schema(description = "unique among the parent's live objects (409: taken)")
      Optional<@NotNull(message = "cannot be null") @Line(max = 200) String> name,
      @Schema(description = "unique among the parent's live objects (409: taken); null clears")
      Optional<@Line(max = 200) String> externalId) {}

  /** A recorded event of a deployment; {@code status} when it moved the deployment. */
  public record EventItem(String id, String deploymentId, String type,
      @Schema(allowableValues = {"PENDING", "DEPLOYING", "RUNNING", "DEGRADED", "FAILED", "STOPPED"}) String status,
      String message, Instant createdAt) {
    static EventItem of(DeploymentEvent e) {
      return new EventItem(e.id(), e.deploymentId(), e.type(), e.status() == null ? null : e.status().name(),
          e.message(), e.createdAt());
    }
  }

  @Override
  public List<ApiRoute> routes() {
    return List.of(
        ApiRoute.of("PATCH /api/tenants/{tenantId}", "Rename a tenant or change its externalId (409: taken)",
                this::patchTenant)
            .body(Rename.class).answers(200, "the tenant", TenantRoutes.TenantView.class)
            .answers(409, "the name or externalId is taken", PlatformRoutes.AlreadyExists.class),
        ApiRoute.of("DELETE /api/tenants/{tenantId}", "Delete a tenant with its workspaces and deployments"
            + " (soft: the agent stops watching, history stays)", ctx -> {
              QueryParams.of(ctx);
              if (!objects.deleteTenant(PathTenant.require(ctx, tenants))) {
                throw ApiException.notFound("tenant");
              }
              ctx.status(204);
            }).answers(204, "deleted", null),
        ApiRoute.of("GET /api/workspaces/{workspaceId}", "One workspace", ctx -> {
          QueryParams.of(ctx);
          ctx.json(workspace(ctx));
        }).answers(200, "the workspace", Workspace.class),
        ApiRoute.of("PATCH /api/workspaces/{workspaceId}", "Rename a workspace or change its externalId (409: taken)",
                this::patchWorkspace)
            .body(Rename.class).answers(200, "the workspace", Workspace.class)
            .answers(409, "the name or externalId is taken", PlatformRoutes.AlreadyExists.class),
        ApiRoute.of("DELETE /api/workspaces/{workspaceId}", "Delete a workspace with its deployments (soft)", ctx -> {
          QueryParams.of(ctx);
          if (!objects.deleteWorkspace(workspace(ctx))) {
            throw ApiException.notFound("workspace");
          }
          ctx.status(204);
        }).answers(204, "deleted", null),
        ApiRoute.of("GET /api/deployments/{deploymentId}", "One deployment", ctx -> {
          QueryParams.of(ctx);
          ctx.json(deployment(ctx));
        }).answers(200, "the deployment", Deployment.class),
        ApiRoute.of("DELETE /api/deployments/{deploymentId}",
            "Delete a deployment (soft: no more state, pages or incidents for it; history stays)", ctx -> {
              QueryParams.of(ctx);
              if (!objects.deleteDeployment(deployment(ctx))) {
                throw ApiException.notFound("deployment");
              }
              ctx.status(204);
            }).answers(204, "deleted", null),
        ApiRoute.of("GET /api/deployments/{deploymentId}/events", "The deployment's events, newest first", this::events)
            .query("limit", "integer", "default 50, at most 200")
            .query("before", "string", "the last id of the previous page")
            .answers(200, "the events", EventItem.class, true));
  }

  /** A name or external id already taken: 409 naming the object that holds it, on every route. */
  @Override
  public void register(Javalin app) {
    app.exception(AlreadyExistsException.class, (e, ctx) ->
        ctx.status(409).json(new PlatformRoutes.AlreadyExists(e.getMessage(), e.existingId())));
  }

  private void patchTenant(Context ctx) {
    QueryParams.of(ctx);
    Tenant t = tenants.find(PathTenant.id(ctx, "tenantId", "tenant"))
        .orElseThrow(() -> ApiException.notFound("tenant"));
    Rename change = JsonBody.readChange(ctx, Rename.class);
    objects.updateTenant(t, PlatformRoutes.or(change.name(), t.name()),
        PlatformRoutes.or(change.externalId(), t.externalId()));
    ctx.json(TenantRoutes.view(statuses.one(t.id()).orElseThrow(() -> ApiException.notFound("tenant"))));
  }

  private void patchWorkspace(Context ctx) {
    QueryParams.of(ctx);
    Workspace w = workspace(ctx);
    Rename change = JsonBody.readChange(ctx, Rename.class);
    ctx.json(objects.updateWorkspace(w, PlatformRoutes.or(change.name(), w.name()),
        PlatformRoutes.or(change.externalId(), w.externalId())));
  }

  private void events(Context ctx) {
    QueryParams q = QueryParams.of(ctx, "limit", "before");
    Deployment d = deployment(ctx);
    var page = deployments.events(d.id(), q.get("before").orElse(null), q.limit(50, MAX_EVENTS))
        .orElseThrow(() -> ApiException.badRequest("before must be the id of one of this deployment's events"));
    ctx.json(page.stream().map(EventItem::of).toList());
  }

  private Workspace workspace(Context ctx) {
    return PathTenant.workspace(ctx, workspaces);
  }

  private Deployment deployment(Context ctx) {
    return PathTenant.deployment(ctx, deployments);
  }
}
