package io.opsagent.action;

import io.opsagent.action.ActionRepository.StatusSince;
import io.opsagent.agent.guard.ActionGate;
import io.opsagent.agent.guard.CooldownStore;
import io.opsagent.agent.tools.Refusal;
import io.opsagent.agent.tools.RefusalReason;
import io.opsagent.config.Config;
import io.opsagent.platform.Deployment;
import io.opsagent.platform.DeploymentRepository;
import io.opsagent.platform.DeploymentStatus;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The blast radius of the agent's actions, and their cooldown as the database records it, as an
 * {@link ActionGate.Check} that runs before the cooldown store's claim (so a refused call claims no
 * cooldown key). For {@code restartDeployment} and
 * {@code rollbackDeployment}, in this order, each refusal led by its {@link ActionRefusal} code:
 *
 * <ol>
 *   <li>the deployment belongs to the cycle's tenant (another tenant's gets the answer of a
 *       nonexistent one);
 *   <li>no action on it did not help within {@code OPSAGENT_ACTION_LOCKOUT}, unless it has since
 *       been RUNNING for an hour;
 *   <li>at most one action per cycle;
 *   <li>at most {@code OPSAGENT_MAX_ACTIONS_PER_TENANT_HOUR} per tenant in the last hour;
 *   <li>never on more than a third of the workspace's deployments (rounded up) within the action's
 *       cooldown window;
 *   <li>a rollback names a version the deployment has run before, and not the one it runs now;
 *   <li>no action of the same kind (the same tool) on this deployment was admitted within the tool's
 *       cooldown ({@code OPSAGENT_ACTION_COOLDOWNS}), whatever became of it — the database's side of
 *       the cooldown store's {@code opsagent:cooldown:{deploymentId}:{tool}} key, refused with the
 *       same words ({@code "… is on cooldown for another …"}, counted as {@code cooldown}). Redis
 *       stays the fast path and the cross-process claim; this makes the window survive Redis losing
 *       its keys (a flush, a restart without persistence), so a flush never allows a second restart
 *       of a deployment inside its window.
 * </ol>
 *
 * <p>Only admitted calls leave rows, so a refused call (by this check or a later one) claims no
 * window here; a failed or cancelled action keeps its window, as its cooldown key does.
 *
 * <p>The counters are the {@code ops_actions} rows themselves, so they hold across processes and
 * restarts. Race safety rests on the tenant's cycle lock ({@code TenantCycleLock}): every action on
 * a deployment is admitted by a cycle of the deployment's tenant (another tenant's call is refused
 * first), a tenant's cycles never run at once and a cycle checks its calls one after another, so no
 * other admission can come between this check and the call's insert. Should the lock be lost
 * mid-cycle (its database session died), the insert itself re-checks the cooldown in its transaction,
 * serialised per deployment ({@link ActionTools}).
 */
final class ActionLimits implements ActionGate.Check {
  static final Duration RUNNING_LIFTS_LOCKOUT = Duration.ofHours(1);

  private final ActionRepository actions;
  private final DeploymentRepository deployments;
  private final Config.Actions config;
  private final Config.Cooldowns cooldowns;
  private final Clock clock;

  ActionLimits(ActionRepository actions, DeploymentRepository deployments, Config.Actions config,
      Config.Cooldowns cooldowns, Clock clock) {
    this.cooldowns = cooldowns;
    this.actions = actions;
    this.deployments = deployments;
    this.config = config;
    this.clock = clock;
  }

  @Override
  public Optional<Refusal> refusal(ActionGate.Call call) {
    Optional<ActionKind> kind = ActionKind.ofTool(call.tool());
    if (kind.isEmpty()) {
      return Optional.empty();
    }
    if (call.input().path("reason").asText("").isBlank()) {
      return Refusal.of(RefusalReason.INVALID_INPUT, "invalid input: 'reason' must not be blank");
    }
    String deploymentId = call.input().path("deploymentId").asText("");
    Optional<Deployment> found = deployments.find(call.tenantId(), deploymentId);
    if (found.isEmpty()) {
      return refuse(ActionRefusal.UNKNOWN_DEPLOYMENT, "unknown deploymentId '" + deploymentId + "'");
    }
    Deployment d = found.get();
    Instant now = clock.instant();
    Optional<Instant> lockedSince = lockedOutSince(d.id(), now);
    if (lockedSince.isPresent()) {
      return refuse(ActionRefusal.LOCKED_OUT, "an action on this deployment did not recover it at "
          + lockedSince.get() + "; no automatic action on it for " + config.lockout()
          + " unless it runs for an hour first. Alert people instead.");
    }
    if (actions.countInRun(call.tenantId(), call.runId()) > 0) {
      return refuse(ActionRefusal.ONE_PER_CYCLE, "one mutating action per cycle, and this cycle"
          + " already has one; the next cycle can reconsider");
    }
    int cap = config.maxPerTenantHour();
    if (actions.countSince(call.tenantId(), now.minus(Duration.ofHours(1))) >= cap) {
      return refuse(ActionRefusal.TENANT_HOURLY_CAP, "at most " + cap
          + " actions per tenant per hour, all used");
    }
    Duration window = cooldowns.of(call.tool(), CooldownStore.DEFAULT_ACTION_COOLDOWN);
    List<String> actedOn = actions.deploymentsActedOn(d.workspaceId(), now.minus(window));
    int share = (deployments.listByWorkspace(d.workspaceId()).size() + 2) / 3;
    if (!actedOn.contains(d.id()) && actedOn.size() + 1 > share) {
      return refuse(ActionRefusal.WORKSPACE_SHARE, "actions already touched " + actedOn.size()
          + " deployment(s) of this workspace within " + window + "; at most " + share
          + " (a third, rounded up) may be acted on in that window");
    }
    if (kind.get() == ActionKind.ROLLBACK) {
      String to = call.input().path("toVersion").asText("");
      if (to.equals(d.version())) {
        return refuse(ActionRefusal.UNKNOWN_VERSION, "the deployment already runs version '" + to + "'");
      }
      if (!actions.hasRun(d.id(), to)) {
        return refuse(ActionRefusal.UNKNOWN_VERSION, "version '" + to + "' is not in this deployment's"
            + " version history (see getDeploymentHistory)");
      }
    }
    return cooldownRefusal(actions.lastAdmittedAfter(d.id(), kind.get(), now.minus(window)), d.id(),
        kind.get(), window, now);
  }

  /**
   * The cooldown refusal of a {@code kind} action on the deployment at {@code now}, when the last one
   * was admitted at {@code lastAdmitted}, less than {@code window} ago; the same text as the cooldown
   * store's.
   */
  static Optional<Refusal> cooldownRefusal(Optional<Instant> lastAdmitted, String deploymentId,
      ActionKind kind, Duration window, Instant now) {
    return lastAdmitted.map(at -> Duration.between(now, at.plus(window)))
        .filter(left -> left.compareTo(Duration.ZERO) > 0)
        .map(left -> new Refusal(RefusalReason.COOLDOWN,
            CooldownStore.Claim.onCooldown(deploymentId, kind.tool(), left).reason()));
  }

  /** When the lockout of the deployment started, if one holds now. */
  private Optional<Instant> lockedOutSince(String deploymentId, Instant now) {
    Optional<Instant> notHelped = actions.lastNotHelpedSince(deploymentId,
        now.minus(config.lockout()));
    if (notHelped.isEmpty()) {
      return notHelped;
    }
    Instant runningSince = null;
    for (StatusSince change : actions.statusChangesAfter(deploymentId, notHelped.get())) {
      if (DeploymentStatus.RUNNING.name().equals(change.status())) {
        runningSince = runningSince == null ? change.since() : runningSince;
      } else if (runningSince != null && ranAnHour(runningSince, change.since())) {
        return Optional.empty();
      } else {
        runningSince = null;
      }
    }
    return runningSince != null && ranAnHour(runningSince, now) ? Optional.empty() : notHelped;
  }

  private static boolean ranAnHour(Instant from, Instant to) {
    return !Duration.between(from, to).minus(RUNNING_LIFTS_LOCKOUT).isNegative();
  }

  private static Optional<Refusal> refuse(ActionRefusal why, String detail) {
    return Optional.of(why.because(detail));
  }
}
