package io.opsagent.api;

import io.javalin.http.Context;
import io.opsagent.platform.TenantRepository;

/** The {@code {tenantId}} of a route, which must name an existing tenant (404 otherwise). */
final class PathTenant {
  private PathTenant() {}

  static String require(Context ctx, TenantRepository tenants) {
    return tenants.find(ctx.pathParam("tenantId")).orElseThrow(() -> ApiException.notFound("tenant")).id();
  }
}
