package io.opsagent.action;

import io.opsagent.agent.guard.ActionGate;
import io.opsagent.agent.tools.OpsTools;
import io.opsagent.config.Config;
import io.opsagent.db.Database;
import io.opsagent.notify.Notifier;
import io.opsagent.platform.Deployment;
import io.opsagent.platform.DeploymentRepository;
import io.opsagent.platform.DeploymentStatus;
import io.opsagent.queue.DeploymentJob;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

/**
 * The agent's hands on the platform: {@code restartDeployment} and {@code rollbackDeployment},
 * offered only when {@code OPSAGENT_PLATFORM_CONTROL_URL} is set (read-only by default).
 *
 * <p>The pieces, wired by the composition root: {@link #tools()} and {@link #limits()} go into the
 * agent ({@code OpsAgent.builder(...).extraTools(...).actionChecks(...)}); {@link #handles}/
 * {@link #handle} run this feature's jobs on the {@code deployment} queue; {@link #statusChanged} is
 * told every status change reported through {@code POST /api/deployments/{id}/events}.
 *
 * <p>Guarantees: an admitted call is recorded and queued together; every attempt to send it carries
 * the same id; 4xx answers are never retried; a queued action re-checks {@link ActionHolds} before
 * it is sent; every sent action ends {@code helped} or {@code not_helped} by
 * {@code OPSAGENT_ACTION_VERIFY_TIMEOUT} at the latest, and one that did not help is alerted and
 * locks its deployment out of automatic actions for {@code OPSAGENT_ACTION_LOCKOUT}; one that ends
 * {@code failed} (refused by the platform, or given up after its retries) is alerted too, with the
 * platform's answer; a restart or rollback is refused within its cooldown of the same kind on the
 * same deployment, read from {@code ops_actions} (Redis is only the fast path).
 */
public final class PlatformActions implements AutoCloseable {
  private final ActionRepository actions;
  private final ActionTools tools;
  private final ActionLimits limits;
  private final ActionJobs jobs;
  private final ControlClient control;

  private PlatformActions(Config.Actions c, Config.Cooldowns cooldowns, Database db, ActionRepository actions,
      DeploymentRepository deployments, Notifier notifier, ActionHolds holds, Clock clock) {
    this.actions = actions;
    this.control = new ControlClient(c.controlUrl().orElseThrow(), c.controlSecret().orElseThrow(), clock);
    this.tools = new ActionTools(db, actions, deployments, cooldowns, clock);
    this.limits = new ActionLimits(actions, deployments, c, cooldowns, clock);
    this.jobs = new ActionJobs(db, actions, deployments, control, holds, notifier, c.verifyTimeout(),
        c.lockout(), clock);
  }

  /**
   * The actions feature, or empty when no control URL is configured (no mutating tool then);
   * {@code actions} and {@code deployments} are the process's repositories.
   */
  public static Optional<PlatformActions> create(Config.Actions config, Config.Cooldowns cooldowns,
      Database db, ActionRepository actions,
      DeploymentRepository deployments, Notifier notifier, ActionHolds holds, Clock clock) {
    return config.enabled()
        ? Optional.of(new PlatformActions(config, cooldowns, db, actions, deployments, notifier, holds, clock))
        : Optional.empty();
  }

  /** The two mutating tools, for {@code OpsAgent.Builder#extraTools}. */
  public List<OpsTools.Definition> tools() {
    return tools.definitions();
  }

  /** The blast-radius check, for {@code OpsAgent.Builder#actionChecks} (runs before cooldowns). */
  public ActionGate.Check limits() {
    return limits;
  }

  /** True for the deployment-queue jobs of this feature. */
  public boolean handles(DeploymentJob job) {
    return ActionJobs.handles(job);
  }

  /** Runs one of this feature's jobs; throws when the platform is unreachable (the queue retries). */
  public void handle(DeploymentJob job) {
    jobs.handle(job);
  }

  /** A deployment's reported status changed: decides the actions on it whose effect is awaited. */
  public void statusChanged(Deployment deployment, DeploymentStatus status) {
    jobs.statusChanged(deployment, status);
  }

  /** The recorded actions (for the API). */
  public ActionRepository actions() {
    return actions;
  }

  @Override
  public void close() {
    control.close();
  }
}
