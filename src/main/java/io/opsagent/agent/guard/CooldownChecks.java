package io.opsagent.agent.guard;

import io.opsagent.agent.guard.CooldownStore.Claim;
import io.opsagent.agent.tools.ActionClass;
import io.opsagent.agent.tools.OpsTools;
import io.opsagent.agent.tools.Refusal;
import io.opsagent.agent.tools.RefusalReason;
import io.opsagent.incident.Problem;
import io.opsagent.platform.Deployment;
import io.opsagent.platform.DeploymentRepository;
import java.time.Clock;
import java.util.Optional;

/**
 * The guardrails beyond the action budget, as one {@link ActionGate.Check}, in this order:
 *
 * <ol>
 *   <li><b>Tenant scope of deployments.</b> A call naming a {@code deploymentId} is refused unless
 *       the deployment belongs to the cycle's tenant, with exactly the refusal of a nonexistent one
 *       ({@code unknown deploymentId '…'}), so another tenant's ids are neither usable nor
 *       confirmable. This comes first: a foreign deployment never gets a cooldown claimed by this
 *       tenant (which would block its owner's restart). The pipeline already scopes
 *       {@code workspaceId}; this closes the same hole for tools that take a deployment.
 *   <li><b>Mutating cooldowns — fail closed.</b> A {@link ActionClass#MUTATING} call must atomically
 *       claim {@code opsagent:cooldown:{deploymentId}:{tool}} for the tool's configured cooldown
 *       ({@code OPSAGENT_ACTION_COOLDOWNS}, keyed by tool name). Within the cooldown it is refused;
 *       when the store cannot answer (Redis down) it is refused too, with the reason. The platform
 *       actions' checks, which run before this one, also hold the window against {@code ops_actions}
 *       ({@code io.opsagent.action.ActionLimits}), so for them a key lost from the store does not
 *       re-open it.
 *   <li><b>Alert de-duplication — in the database, not Redis.</b> {@code sendAlert} is refused when
 *       the same workspace got the same title within {@code OPSAGENT_ALERT_COOLDOWN} and that alert
 *       reached a receiver or is still being retried ({@link AlertCooldown}); a Redis outage does
 *       not change it. If the database cannot answer, the alert goes out. An alert naming a
 *       deployment that has a problem (FAILED, DEGRADED, a backup problem) is de-duplicated by its
 *       incident instead ({@link io.opsagent.incident.Incidents}), not by title.
 * </ol>
 *
 * <p>Every other safe call passes untouched and never touches either store.
 *
 * <p><b>Refusals are not actions.</b> The gate asks this check only while budget is left, and counts
 * a call against the budget only when this check lets it through: a refused call (foreign
 * deployment, cooldown, duplicate alert, store down) consumes no budget.
 *
 * <p><b>A de-duplicated alert is a refusal, not a pretend success.</b> The model gets an error
 * {@code tool_result} whose text says the alert was already sent within the window and must not be
 * re-sent under another title; the run records it as {@code allowed: false} with that reason. A
 * refusal because the run's record must say truthfully that this cycle delivered nothing, and
 * because the deterministic fallback ({@link CircuitBreakerPolicy}) uses the same de-duplication with
 * the same meaning.
 */
final class CooldownChecks implements ActionGate.Check {
  static final String DUPLICATE_ALERT = "not sent: an alert with this title was already sent to this"
      + " workspace within the alert window, and people were notified then; do not re-send it, under"
      + " this or another title";

  private final CooldownStore cooldowns;
  private final AlertCooldown alerts;
  private final DeploymentRepository deployments;
  private final Clock clock;

  public CooldownChecks(CooldownStore cooldowns, AlertCooldown alerts,
      DeploymentRepository deployments, Clock clock) {
    this.clock = clock;
    this.cooldowns = cooldowns;
    this.alerts = alerts;
    this.deployments = deployments;
  }

  @Override
  public Optional<Refusal> refusal(ActionGate.Call call) {
    String deploymentId = call.input().path("deploymentId").asText("");
    Optional<Deployment> deployment = deploymentId.isEmpty() ? Optional.empty()
        : deployments.find(call.tenantId(), deploymentId);
    if (!deploymentId.isEmpty() && deployment.isEmpty()) {
      return Refusal.of(RefusalReason.SCOPE, "unknown deploymentId '" + deploymentId + "'");
    }
    if (call.actionClass() == ActionClass.MUTATING) {
      if (deploymentId.isEmpty()) {
        return Refusal.of(RefusalReason.INVALID_INPUT, "a mutating action must name its deploymentId");
      }
      Claim claim = cooldowns.claimAction(deploymentId, call.tool());
      if (claim instanceof Claim.OnCooldown onCooldown) {
        return Refusal.of(RefusalReason.COOLDOWN, onCooldown.reason());
      }
      if (claim instanceof Claim.Unavailable unavailable) {
        return Refusal.of(RefusalReason.STORE_UNAVAILABLE, unavailable.reason());
      }
      return Optional.empty();
    }
    if (OpsTools.SEND_ALERT.equals(call.tool())
        && deployment.flatMap(d -> Problem.of(d, clock.instant())).isEmpty()) {
      String workspaceId = call.input().path("workspaceId").asText(null);
      String title = call.input().path("title").asText("");
      if (!alerts.tryAcquire(call.tenantId(), workspaceId, title)) {
        return Refusal.of(RefusalReason.DUPLICATE_ALERT, DUPLICATE_ALERT);
      }
    }
    return Optional.empty();
  }

  /** A dry-run call takes no alert window and no cooldown: both claims are given back. */
  @Override
  public void notExecuted(ActionGate.Call call) {
    failed(call);
    if (call.actionClass() == ActionClass.MUTATING) {
      cooldowns.releaseKey(CooldownStore.cooldownKey(call.input().path("deploymentId").asText(), call.tool()));
    }
  }

  /** An alert that could not be recorded gives its de-duplication window back, so a retry goes out. */
  @Override
  public void failed(ActionGate.Call call) {
    if (OpsTools.SEND_ALERT.equals(call.tool())) {
      alerts.release(call.tenantId(), call.input().path("workspaceId").asText(null),
          call.input().path("title").asText(""));
    }
  }
}
