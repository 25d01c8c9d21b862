package io.opsagent.agent;

import io.opsagent.agent.CooldownStore.Claim;
import java.util.Optional;

/**
 * The guardrails beyond the action budget, as one {@link Guardrails.Check}:
 *
 * <ul>
 *   <li>a {@link ActionClass#MUTATING} call must atomically claim its cooldown
 *       ({@code opsagent:cooldown:{deploymentId}:{action}}): within the cooldown, or when the store
 *       cannot answer (Redis down), it is refused — mutating actions fail closed;
 *   <li>{@code sendAlert} is refused when the same workspace got the same title within the alert
 *       window, so a persisting failure does not page every cycle; if the store cannot answer, the
 *       alert goes out — alerts fail open;
 *   <li>every other safe call passes untouched, and never touches the store.
 * </ul>
 */
public final class GuardrailChecks implements Guardrails.Check {
  private final CooldownStore cooldowns;
  private final AlertCooldown alerts;

  public GuardrailChecks(CooldownStore cooldowns, AlertCooldown alerts) {
    this.cooldowns = cooldowns;
    this.alerts = alerts;
  }

  @Override
  public Optional<String> refusal(Guardrails.Call call) {
    if (call.actionClass() == ActionClass.MUTATING) {
      String deploymentId = call.input().path("deploymentId").asText("");
      if (deploymentId.isEmpty()) {
        return Optional.of("a mutating action must name its deploymentId");
      }
      Claim claim = cooldowns.claimAction(deploymentId, call.tool());
      if (claim instanceof Claim.OnCooldown onCooldown) {
        return Optional.of(onCooldown.reason());
      }
      if (claim instanceof Claim.Unavailable unavailable) {
        return Optional.of(unavailable.reason());
      }
      return Optional.empty();
    }
    if (OpsTools.SEND_ALERT.equals(call.tool())) {
      String workspaceId = call.input().path("workspaceId").asText(null);
      String title = call.input().path("title").asText("");
      if (!alerts.tryAcquire(call.tenantId(), workspaceId, title)) {
        return Optional.of("the same alert was already sent for this workspace within the alert"
            + " window; not re-sent (it is still recorded as known)");
      }
    }
    return Optional.empty();
  }
}
