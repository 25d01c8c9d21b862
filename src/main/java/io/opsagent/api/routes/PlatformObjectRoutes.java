package io.opsagent.api.routes;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.opsagent.api.ApiException;
import io.opsagent.api.ApiServer;
import io.opsagent.api.JsonBody;
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
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Reading, renaming and deleting tenants, workspaces and deployments one by one, and a deployment's
 * events. Delete is soft ({@link PlatformObjects}): afterwards the object answers 404, its name and
 * external id are free, the agent stops watching it, and its history stays. A name or external id
 * a live object of the same parent holds is a 409 {@code {"error", "id"}} naming that object, on
 * every route that sets one.
 */
public final class PlatformObjectRoutes implements ApiServer.Routes {
  private static final Set<String> RENAMABLE = Set.of("name", "externalId");
  private static final int MAX_EVENTS = 200;

  private final ObjectMapper json;
  private final TenantRepository tenants;
  private final WorkspaceRepository workspaces;
  private final DeploymentRepository deployments;
  private final PlatformObjects objects;
  private final TenantStatusQuery statuses;

  public PlatformObjectRoutes(ObjectMapper json, TenantRepository tenants, WorkspaceRepository workspaces,
      DeploymentRepository deployments, PlatformObjects objects, TenantStatusQuery statuses) {
    this.json = json;
    this.tenants = tenants;
    this.workspaces = workspaces;
    this.deployments = deployments;
    this.objects = objects;
    this.statuses = statuses;
  }

  @Override
  public void register(Javalin app) {
    app.exception(AlreadyExistsException.class, (e, ctx) -> {
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("error", e.getMessage());
      out.put("id", e.existingId());
      ctx.status(409).json(out);
    });
    app.patch("/api/tenants/{tenantId}", this::patchTenant);
    app.delete("/api/tenants/{tenantId}", ctx -> {
      QueryParams.of(ctx);
      if (!objects.deleteTenant(PathTenant.require(ctx, tenants))) {
        throw ApiException.notFound("tenant");
      }
      ctx.status(204);
    });
    app.get("/api/workspaces/{workspaceId}", ctx -> {
      QueryParams.of(ctx);
      ctx.json(PlatformRoutes.workspaceJson(workspace(ctx)));
    });
    app.patch("/api/workspaces/{workspaceId}", this::patchWorkspace);
    app.delete("/api/workspaces/{workspaceId}", ctx -> {
      QueryParams.of(ctx);
      if (!objects.deleteWorkspace(workspace(ctx))) {
        throw ApiException.notFound("workspace");
      }
      ctx.status(204);
    });
    app.get("/api/deployments/{deploymentId}", ctx -> {
      QueryParams.of(ctx);
      ctx.json(PlatformRoutes.deploymentJson(deployment(ctx)));
    });
    app.delete("/api/deployments/{deploymentId}", ctx -> {
      QueryParams.of(ctx);
      if (!objects.deleteDeployment(deployment(ctx))) {
        throw ApiException.notFound("deployment");
      }
      ctx.status(204);
    });
    app.get("/api/deployments/{deploymentId}/events", this::events);
  }

  private void patchTenant(Context ctx) {
    QueryParams.of(ctx);
    Tenant t = tenants.find(PathTenant.id(ctx, "tenantId", "tenant"))
        .orElseThrow(() -> ApiException.notFound("tenant"));
    JsonBody body = JsonBody.parse(json, ctx);
    body.allowOnly(RENAMABLE);
    objects.updateTenant(t, name(body, t.name()), externalId(body, t.externalId()));
    ctx.json(TenantRoutes.toJson(statuses.one(t.id()).orElseThrow(() -> ApiException.notFound("tenant")), json));
  }

  private void patchWorkspace(Context ctx) {
    QueryParams.of(ctx);
    Workspace w = workspace(ctx);
    JsonBody body = JsonBody.parse(json, ctx);
    body.allowOnly(RENAMABLE);
    ctx.json(PlatformRoutes.workspaceJson(objects.updateWorkspace(w, name(body, w.name()),
        externalId(body, w.externalId()))));
  }

  private void events(Context ctx) {
    QueryParams q = QueryParams.of(ctx, "limit", "before");
    Deployment d = deployment(ctx);
    var page = deployments.events(d.id(), q.get("before").orElse(null), q.limit(50, MAX_EVENTS))
        .orElseThrow(() -> ApiException.badRequest("before must be the id of one of this deployment's events"));
    ctx.json(page.stream().map(PlatformObjectRoutes::eventJson).toList());
  }

  /** The new name: the body's, or {@code current} when it gives none; a name cannot be cleared. */
  static String name(JsonBody body, String current) {
    if (body.isNull("name")) {
      throw ApiException.badRequest("'name' cannot be cleared");
    }
    return body.optional("name", 200).orElse(current);
  }

  /** The new external id: the body's ({@code null} clears it), or {@code current} when absent. */
  static String externalId(JsonBody body, String current) {
    return body.has("externalId") ? body.optional("externalId", 200).orElse(null) : current;
  }

  private Workspace workspace(Context ctx) {
    return workspaces.find(PathTenant.id(ctx, "workspaceId", "workspace"))
        .orElseThrow(() -> ApiException.notFound("workspace"));
  }

  private Deployment deployment(Context ctx) {
    return deployments.find(PathTenant.id(ctx, "deploymentId", "deployment"))
        .orElseThrow(() -> ApiException.notFound("deployment"));
  }

  private static Map<String, Object> eventJson(DeploymentEvent e) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("id", e.id());
    out.put("deploymentId", e.deploymentId());
    out.put("type", e.type());
    out.put("status", e.status() == null ? null : e.status().name());
    out.put("message", e.message());
    out.put("createdAt", e.createdAt());
    return out;
  }
}
