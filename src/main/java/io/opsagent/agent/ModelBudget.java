package io.opsagent.agent;

import io.opsagent.agent.guard.TokenBudget;
import io.opsagent.agent.run.FallbackReason;
import io.opsagent.notify.Alert;
import io.opsagent.notify.Notifier;
import io.opsagent.notify.Severity;
import io.opsagent.trust.KillSwitch;
import io.opsagent.trust.Mode;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Why no model call may be made now, checked before every model call: the kill switch is engaged,
 * or the tenant's daily token budget is spent (counting this cycle's tokens so far; the first time
 * a tenant-day finds it spent, one warning alert says so, unless the tenant is in dry-run).
 */
final class ModelBudget {
  private static final Logger log = LoggerFactory.getLogger(OpsAgent.class);

  private final KillSwitch killSwitch;
  private final TokenBudget budget;
  private final Notifier notifier;

  ModelBudget(KillSwitch killSwitch, TokenBudget budget, Notifier notifier) {
    this.killSwitch = killSwitch;
    this.budget = budget;
    this.notifier = notifier;
  }

  Optional<FallbackReason> blocked(String tenantId, String runId, Progress p) {
    if (killSwitch.engaged()) {
      return Optional.of(FallbackReason.KILL_SWITCH);
    }
    if (!budget.exhausted(tenantId, p.settings, p.tokens)) {
      return Optional.empty();
    }
    if (p.settings.mode() != Mode.DRY_RUN && budget.claimNotice(tenantId)) {
      try {
        notifier.send(new Alert(tenantId, null, Severity.WARNING, OpsAgent.BUDGET_TITLE,
            "This tenant's daily token budget of " + budget.limit(p.settings) + " tokens is spent."
                + " Until midnight UTC the deterministic rules engine reviews instead of the model:"
                + " FAILED and DEGRADED deployments are still alerted.", runId));
      } catch (RuntimeException e) {
        log.warn("budget notice not recorded tenant={} run={} error={}", tenantId, runId, e.toString());
      }
    }
    log.info("daily token budget spent tenant={} run={} budget={}", tenantId, runId, budget.limit(p.settings));
    return Optional.of(FallbackReason.BUDGET_EXHAUSTED);
  }

  /** How a cycle stopped by {@code reason} midway says so. */
  static String note(FallbackReason reason) {
    return reason == FallbackReason.KILL_SWITCH ? "the kill switch was engaged mid-cycle"
        : "the daily token budget was spent mid-cycle";
  }
}
