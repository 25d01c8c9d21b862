package io.opsagent.api.routes;

import io.opsagent.platform.Deployment;
import io.opsagent.platform.DeploymentEvent;
import io.opsagent.platform.DeploymentRepository;
import io.opsagent.platform.DeploymentStatus;

/**
 * The one path a reported event takes, whichever source reported it (the events route, the
 * Alertmanager webhook): the event is recorded (a status moves the deployment with it) and a status
 * change is told to the {@link PlatformRoutes.PlatformListener}, which pages and wakes the cycle.
 */
public final class DeploymentEvents {
  private final DeploymentRepository deployments;
  private final PlatformRoutes.PlatformListener listener;

  /** An event as recorded, and whether it queued a cycle (and why not). */
  public record Recorded(DeploymentEvent event, PlatformRoutes.Reaction reaction) {}

  public DeploymentEvents(DeploymentRepository deployments, PlatformRoutes.PlatformListener listener) {
    this.deployments = deployments;
    this.listener = listener;
  }

  /** Records the event on {@code d} (as it was before); {@code status} and {@code version} may be null. */
  public Recorded record(Deployment d, String type, DeploymentStatus status, String message, String version) {
    DeploymentEvent event = deployments.recordEvent(d, type, status, message, version);
    PlatformRoutes.Reaction reaction = status == null
        ? PlatformRoutes.Reaction.notQueued("no status change: the tenant's next scheduled cycle reviews this event")
        : status == d.status()
            ? PlatformRoutes.Reaction.notQueued("status unchanged (" + status.name()
                + "): the tenant's next scheduled cycle reviews this event")
            : listener.deploymentStatusChanged(d, status);
    return new Recorded(event, reaction);
  }
}
