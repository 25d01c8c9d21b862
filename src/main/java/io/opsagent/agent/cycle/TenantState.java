package io.opsagent.agent.cycle;

import io.opsagent.incident.Incident;
import io.opsagent.platform.Deployment;
import io.opsagent.platform.DeploymentEvent;
import io.opsagent.platform.Workspace;
import java.time.Instant;
import java.util.List;

/**
 * Everything one cycle knows about a tenant, read once at its start. {@code deployments} holds the
 * RUNNING, DEGRADED and FAILED ones; {@code events} are newest first, at most the gatherer's bound,
 * {@code moreEvents} telling that older ones in the window were left out; {@code openIncidents}
 * are the tenant's open incidents, newest first, with whether people were reached.
 */
public record TenantState(
    String tenantId,
    Instant gatheredAt,
    Instant eventsSince,
    List<Workspace> workspaces,
    List<Deployment> deployments,
    List<DeploymentEvent> events,
    boolean moreEvents,
    List<Channel> channels,
    List<Incident> openIncidents) {

  /** A state without open incidents. */
  public TenantState(String tenantId, Instant gatheredAt, Instant eventsSince, List<Workspace> workspaces,
      List<Deployment> deployments, List<DeploymentEvent> events, boolean moreEvents, List<Channel> channels) {
    this(tenantId, gatheredAt, eventsSince, workspaces, deployments, events, moreEvents, channels, List.of());
  }

  /** A notification channel as the agent may see it: no URL, address or secret. */
  record Channel(String id, String workspaceId, String type, String name, boolean enabled) {}

  boolean ownsWorkspace(String workspaceId) {
    return workspaces.stream().anyMatch(w -> w.id().equals(workspaceId));
  }
}
