package io.opsagent.api;

import io.javalin.http.Context;
import io.opsagent.platform.TenantRepository;

/**
 * The ids of a route's path. An id that cannot be one of ours (too long, control characters) is
 * "not found" at once, without a query; {@code {tenantId}} must name an existing tenant (404 otherwise).
 */
public final class PathTenant {
  private PathTenant() {}

  public static String require(Context ctx, TenantRepository tenants) {
    return tenants.find(id(ctx, "tenantId", "tenant")).orElseThrow(() -> ApiException.notFound("tenant")).id();
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
