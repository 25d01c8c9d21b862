package io.opsagent.api.routes;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.opsagent.api.ApiException;
import io.opsagent.api.ApiServer;
import io.opsagent.api.PathTenant;
import io.opsagent.api.QueryParams;
import io.opsagent.incident.Incident;
import io.opsagent.incident.Incidents;
import io.opsagent.platform.TenantRepository;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A tenant's incidents, newest first ({@code ?status=open|resolved}), and their acknowledgement,
 * which stops the reminders. Another tenant's incident is "not found", as a nonexistent one.
 */
public final class IncidentRoutes implements ApiServer.Routes {
  private final TenantRepository tenants;
  private final Incidents incidents;

  public IncidentRoutes(TenantRepository tenants, Incidents incidents) {
    this.tenants = tenants;
    this.incidents = incidents;
  }

  @Override
  public void register(Javalin app) {
    app.get("/api/tenants/{tenantId}/incidents", this::list);
    app.post("/api/tenants/{tenantId}/incidents/{incidentId}/ack", this::ack);
  }

  private void list(Context ctx) {
    QueryParams q = QueryParams.of(ctx, "status");
    String tenantId = PathTenant.require(ctx, tenants);
    Incident.Status status = q.oneOf("status", Incident.Status::fromWire, "open, resolved").orElse(null);
    ctx.json(incidents.list(tenantId, status).stream().map(IncidentRoutes::view).toList());
  }

  private void ack(Context ctx) {
    QueryParams.of(ctx);
    String tenantId = PathTenant.require(ctx, tenants);
    String id = PathTenant.id(ctx, "incidentId", "incident");
    ctx.json(view(incidents.acknowledge(tenantId, id).orElseThrow(() -> ApiException.notFound("incident"))));
  }

  static Map<String, Object> view(Incident i) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("id", i.id());
    out.put("incidentKey", i.incidentKey());
    out.put("deploymentId", i.deploymentId());
    out.put("workspaceId", i.workspaceId());
    out.put("problem", i.problem().wire());
    out.put("severity", i.severity().wire());
    out.put("status", i.status().wire());
    out.put("title", i.title());
    out.put("alerts", i.alerts());
    out.put("openedAt", i.openedAt());
    out.put("lastNotifiedAt", i.lastNotifiedAt());
    out.put("pageStatus", i.pageStatus());
    if (i.pagedAt() != null) {
      out.put("pagedAt", i.pagedAt());
    }
    if (i.pagedAt() == null && i.pagingSince() != null) {
      out.put("pagingSince", i.pagingSince());
    }
    if (i.resolvedAt() != null) {
      out.put("resolvedAt", i.resolvedAt());
    }
    if (i.resolvedReason() != null) {
      out.put("resolvedReason", i.resolvedReason());
    }
    if (i.acknowledgedAt() != null) {
      out.put("acknowledgedAt", i.acknowledgedAt());
    }
    return out;
  }
}
