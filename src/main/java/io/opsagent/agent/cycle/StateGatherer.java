package io.opsagent.agent.cycle;

import io.opsagent.agent.run.RunRepository;
import io.opsagent.incident.Incident;
import io.opsagent.incident.IncidentRepository;
import io.opsagent.platform.DeploymentEvent;
import io.opsagent.platform.DeploymentRepository;
import io.opsagent.platform.DeploymentStatus;
import io.opsagent.platform.WorkspaceRepository;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.EnumSet;
import java.util.List;
import org.jdbi.v3.core.Jdbi;

/**
 * Reads a tenant's state for one cycle in a constant number of queries (five), whatever the number
 * of workspaces, deployments or events: previous run, workspaces, deployments, events, channels.
 *
 * <p>Events are those since the tenant's last completed review started (or within {@link #LOOKBACK}
 * when there is none: a failed or skipped run reviewed nothing), newest first, at most
 * {@link #MAX_EVENTS}. Channels are read with a SELECT that never
 * touches their configuration, so no URL or secret can reach the model. Time-derived facts
 * ("backup overdue") are judged at {@code gatheredAt}, read from the given clock.
 */
public final class StateGatherer {
  static final Duration LOOKBACK = Duration.ofHours(24);
  static final int MAX_EVENTS = 50;
  static final int MAX_INCIDENTS = 50;
  private static final EnumSet<DeploymentStatus> WATCHED =
      EnumSet.of(DeploymentStatus.RUNNING, DeploymentStatus.DEGRADED, DeploymentStatus.FAILED);

  private final Jdbi jdbi;
  private final Clock clock;
  private final RunRepository runs;
  private final WorkspaceRepository workspaces;
  private final DeploymentRepository deployments;
  private final IncidentRepository incidents;

  public StateGatherer(Jdbi jdbi, RunRepository runs, WorkspaceRepository workspaces,
      DeploymentRepository deployments, Clock clock) {
    this.jdbi = jdbi;
    this.clock = clock;
    this.runs = runs;
    this.workspaces = workspaces;
    this.deployments = deployments;
    this.incidents = new IncidentRepository(jdbi);
  }

  public TenantState gather(String tenantId) {
    Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
    Instant since = runs.lastReviewStart(tenantId).orElse(now.minus(LOOKBACK));
    List<DeploymentEvent> events = deployments.eventsSince(tenantId, since, MAX_EVENTS + 1);
    boolean more = events.size() > MAX_EVENTS;
    return new TenantState(tenantId, now, since,
        workspaces.listByTenant(tenantId),
        deployments.listByTenant(tenantId, WATCHED),
        more ? events.subList(0, MAX_EVENTS) : events,
        more,
        channels(tenantId),
        incidents.list(tenantId, Incident.Status.OPEN, MAX_INCIDENTS));
  }

  private List<TenantState.Channel> channels(String tenantId) {
    return jdbi.withHandle(h -> h.createQuery("""
            SELECT id, workspace_id, type, name, enabled FROM notification_channels
            WHERE tenant_id = :tenantId AND deleted_at IS NULL
            ORDER BY workspace_id NULLS FIRST, name, id""")
        .bind("tenantId", tenantId)
        .map((rs, ctx) -> new TenantState.Channel(rs.getString("id"), rs.getString("workspace_id"),
            rs.getString("type"), rs.getString("name"), rs.getBoolean("enabled")))
        .list());
  }
}
