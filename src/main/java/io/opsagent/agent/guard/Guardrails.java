package io.opsagent.agent.guard;

import io.opsagent.config.Config;
import io.opsagent.incident.Incidents;
import io.opsagent.notify.Notifier;
import io.opsagent.platform.DeploymentRepository;
import io.opsagent.trust.Mode;
import io.opsagent.trust.TenantSettings;
import java.time.Clock;
import java.time.Duration;
import org.jdbi.v3.core.Jdbi;

/**
 * The agent's guardrails, composed in their one valid order: {@link #gate} runs the extra checks
 * (e.g. the blast radius of platform actions) first, then the alert storm cap, then the cooldowns,
 * so a call refused early claims nothing later; {@link #policy} is the circuit breaker (pause, one
 * pause alert, reset on success, deterministic critical alerts while the model cannot be used).
 */
public record Guardrails(ActionGate gate, CyclePolicy policy) {

  /** The guardrails every agent runs with, over the process's shared collaborators. */
  public static Guardrails standard(Config.Cycle cycle, Config.Cooldowns cooldownSettings,
      Config.Paging paging, Jdbi jdbi, Notifier notifier, CooldownStore cooldowns,
      ActionGate.Check actionChecks, DeploymentRepository deployments, Incidents incidents,
      TenantSettings settings, Clock clock) {
    var alertCooldown = new AlertCooldown(jdbi, cooldownSettings.alert(), clock);
    var breaker = new CircuitBreaker(jdbi, cycle.circuitPause(), clock);
    var policy = new CircuitBreakerPolicy(breaker, notifier, alertCooldown, deployments, incidents,
        tenantId -> settings.get(tenantId).mode() == Mode.DRY_RUN);
    // the storm cap before the alert window, which an alert it refuses must not claim
    var storm = new AlertStorm(jdbi, notifier, new AlertCooldown(jdbi, Duration.ofHours(1), clock),
        paging.maxAlertsPerTenantHour(), clock);
    var gate = new ActionGate(cycle.maxActions(),
        actionChecks.andThen(storm).andThen(new CooldownChecks(cooldowns, alertCooldown, deployments, clock)));
    return new Guardrails(gate, policy);
  }
}
