package io.opsagent.api.routes;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.javalin.http.Context;
import io.opsagent.api.ApiException;
import io.opsagent.api.ApiRoute;
import io.opsagent.api.ApiServer;
import io.opsagent.api.PathTenant;
import io.opsagent.api.QueryParams;
import io.opsagent.incident.Incident;
import io.opsagent.incident.Incidents;
import io.opsagent.platform.TenantRepository;
import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Instant;
import java.util.List;

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

  /** One problem of one deployment, from its first alert until it is over. */
  public record IncidentView(String id, @Schema(description = "{tenantId}:{deploymentId}:{problem}") String incidentKey,
      String deploymentId, String workspaceId,
      @Schema(allowableValues = {"failed", "degraded", "backup_failed", "backup_overdue"}) String problem,
      @Schema(allowableValues = {"critical", "warning", "info"}) String severity,
      @Schema(allowableValues = {"open", "resolved"}) String status, String title, int alerts,
      Instant openedAt, Instant lastNotifiedAt, @Schema(allowableValues = {"unpaged", "paged"}) String pageStatus,
      @JsonInclude(JsonInclude.Include.NON_NULL) Instant pagedAt,
      @Schema(description = "only while unpaged with a page being retried")
      @JsonInclude(JsonInclude.Include.NON_NULL) Instant pagingSince,
      @JsonInclude(JsonInclude.Include.NON_NULL) Instant resolvedAt,
      @Schema(allowableValues = {"recovered", "removed"}, description = "once resolved: its problem is gone, or"
          + " its deployment was deleted") @JsonInclude(JsonInclude.Include.NON_NULL) String resolvedReason,
      @JsonInclude(JsonInclude.Include.NON_NULL) Instant acknowledgedAt) {
    static IncidentView of(Incident i) {
      return new IncidentView(i.id(), i.incidentKey(), i.deploymentId(), i.workspaceId(), i.problem().wire(),
          i.severity().wire(), i.status().wire(), i.title(), i.alerts(), i.openedAt(), i.lastNotifiedAt(),
          i.pageStatus(), i.pagedAt(), i.pagedAt() == null ? i.pagingSince() : null, i.resolvedAt(),
          i.resolvedReason(), i.acknowledgedAt());
    }
  }

  @Override
  public List<ApiRoute> routes() {
    return List.of(
        ApiRoute.of("GET /api/tenants/{tenantId}/incidents", "The tenant's incidents, newest first", this::list)
            .query("status", "string", "open or resolved: only these").answers(200, "the incidents", IncidentView.class, true),
        ApiRoute.of("POST /api/tenants/{tenantId}/incidents/{incidentId}/ack",
            "Acknowledge an incident: no more reminders", this::ack).answers(200, "the incident", IncidentView.class));
  }

  private void list(Context ctx) {
    QueryParams q = QueryParams.of(ctx, "status");
    String tenantId = PathTenant.require(ctx, tenants);
    Incident.Status status = q.oneOf("status", Incident.Status::fromWire, "open, resolved").orElse(null);
    ctx.json(incidents.list(tenantId, status).stream().map(IncidentView::of).toList());
  }

  private void ack(Context ctx) {
    QueryParams.of(ctx);
    String tenantId = PathTenant.require(ctx, tenants);
    String id = PathTenant.id(ctx, "incidentId", "incident");
    ctx.json(IncidentView.of(incidents.acknowledge(tenantId, id).orElseThrow(() -> ApiException.notFound("incident"))));
  }

}
