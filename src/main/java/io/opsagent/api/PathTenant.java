package io.opsagent.api;

import io.javalin.http.Context;
import io.opsagent.platform.Deployment;
import io.opsagent.platform.DeploymentRepository;
import io.opsagent.platform.TenantRepository;
import io.opsagent.platform.Workspace;
import io.opsagent.platform.WorkspaceRepository;

/**
 * The ids of a route's path. An id that cannot be one of ours (too long, control characters) is
 * "not found" at once, without a query; {@code {tenantId}} must name an existing tenant (404 otherwise).
 */
public final class PathTenant {
  private PathTenant() {}

  public static String require(Context ctx, TenantRepository tenants) {
    return tenants.find(id(ctx, "tenantId", "tenant")).orElseThrow(() -> ApiException.notFound("tenant")).id();
  }

  /** The live workspace {@code {workspaceId}} names; 404 otherwise. */
  public static Workspace workspace(Context ctx, WorkspaceRepository workspaces) {
    return workspaces.find(id(ctx, "workspaceId", "workspace"))
        .orElseThrow(() -> ApiException.notFound("workspace"));
  }

  /** The live deployment {@code {deploymentId}} names; 404 otherwise. */
  public static Deployment deployment(Context ctx, DeploymentRepository deployments) {
    return deployments.find(id(ctx, "deploymentId", "deployment"))
        .orElseThrow(() -> ApiException.notFound("deployment"));
  }

  /** The path parameter {@code name}; 404 "{what} not found" when it cannot be an id. */
  public static String id(Context ctx, String name, String what) {
    String v = ctx.pathParam(name);
    if (v.isEmpty() || v.length() > 64 || Text.problem(v, false).isPresent()) {
      throw ApiException.notFound(what);
    }
    return v;
  }
}
