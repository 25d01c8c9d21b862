package io.opsagent.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.opsagent.platform.Deployment;
import io.opsagent.platform.DeploymentRepository;
import io.opsagent.platform.DeploymentStatus;
import io.opsagent.platform.Tenant;
import io.opsagent.platform.TenantRepository;
import io.opsagent.platform.Workspace;
import io.opsagent.platform.WorkspaceRepository;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Tenants, workspaces, deployments and deployment events. A deployment that becomes RUNNING tells
 * {@link PlatformListener} so its tenant is scheduled at once; a status reported through an event
 * (how failures arrive) does the same, so a failure can be looked at without waiting a whole interval.
 */
public final class PlatformRoutes implements ApiServer.Routes {
  private final ObjectMapper json;
  private final TenantRepository tenants;
  private final WorkspaceRepository workspaces;
  private final DeploymentRepository deployments;
  private final PlatformListener listener;

  /** Told about platform changes the agent reacts to. */
  public interface PlatformListener {
    /** Reacts to a reported status change; says whether a cycle of the tenant was queued. */
    Reaction deploymentStatusChanged(Deployment deployment, DeploymentStatus newStatus);
  }

  /** Whether an event queued a cycle of its tenant, and why not when it did not. */
  public record Reaction(boolean cycleQueued, String reason) {
    public static final Reaction QUEUED = new Reaction(true, null);

    public static Reaction notQueued(String reason) {
      return new Reaction(false, reason);
    }
  }

  public PlatformRoutes(ObjectMapper json, TenantRepository tenants, WorkspaceRepository workspaces,
      DeploymentRepository deployments, PlatformListener listener) {
    this.json = json;
    this.tenants = tenants;
    this.workspaces = workspaces;
    this.deployments = deployments;
    this.listener = listener;
  }

  @Override
  public void register(Javalin app) {
    app.post("/api/tenants", this::createTenant);
    app.post("/api/tenants/{tenantId}/workspaces", this::createWorkspace);
    app.post("/api/workspaces/{workspaceId}/deployments", this::createDeployment);
    app.post("/api/deployments/{deploymentId}/events", this::recordEvent);
  }

  private void createTenant(Context ctx) {
    JsonBody body = JsonBody.parse(json, ctx.body());
    Tenant t = tenants.create(body.required("name", 200));
    ctx.status(201).json(Map.of("id", t.id(), "name", t.name()));
  }

  private void createWorkspace(Context ctx) {
    String tenantId = PathTenant.require(ctx, tenants);
    JsonBody body = JsonBody.parse(json, ctx.body());
    Workspace w = workspaces.create(tenantId, body.required("name", 200));
    ctx.status(201).json(Map.of("id", w.id(), "tenantId", w.tenantId(), "name", w.name()));
  }

  private void createDeployment(Context ctx) {
    Workspace w = workspaces.find(ctx.pathParam("workspaceId"))
        .orElseThrow(() -> ApiException.notFound("workspace"));
    JsonBody body = JsonBody.parse(json, ctx.body());
    String name = body.required("name", 200);
    DeploymentStatus status = body.optional("status", 16).map(DeploymentStatus::parse)
        .orElse(DeploymentStatus.RUNNING);
    String version = body.optional("version", 100).orElse(null);
    Deployment d = deployments.create(w, name, status, version);
    listener.deploymentStatusChanged(d, status);
    ctx.status(201).json(deploymentJson(d));
  }

  private void recordEvent(Context ctx) {
    Deployment d = deployments.find(ctx.pathParam("deploymentId"))
        .orElseThrow(() -> ApiException.notFound("deployment"));
    JsonBody body = JsonBody.parse(json, ctx.body());
    String type = body.required("type", 100);
    String message = body.optional("message", 4000).orElse(null);
    DeploymentStatus status = body.optional("status", 16).map(DeploymentStatus::parse).orElse(null);
    var event = deployments.recordEvent(d, type, status, message);
    Reaction reaction = status == null
        ? Reaction.notQueued("no status change: the tenant's next scheduled cycle reviews this event")
        : status == d.status()
            ? Reaction.notQueued("status unchanged (" + status.name() + "): the tenant's next scheduled cycle reviews this event")
            : listener.deploymentStatusChanged(d, status);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("id", event.id());
    out.put("deploymentId", d.id());
    out.put("type", type);
    out.put("status", status == null ? null : status.name());
    out.put("message", message);
    out.put("createdAt", event.createdAt());
    out.put("cycleQueued", reaction.cycleQueued());
    if (reaction.reason() != null) {
      out.put("reason", reaction.reason());
    }
    ctx.status(201).json(out);
  }

  private static Map<String, Object> deploymentJson(Deployment d) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("id", d.id());
    out.put("workspaceId", d.workspaceId());
    out.put("name", d.name());
    out.put("status", d.status().name());
    out.put("version", d.version());
    return out;
  }
}
