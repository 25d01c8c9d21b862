package io.opsagent.agent;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.opsagent.Json;
import io.opsagent.agent.cycle.TenantCycleLock;
import io.opsagent.agent.cycle.TenantState;
import io.opsagent.agent.cycle.ToolSession;
import io.opsagent.agent.guard.ActionGate;
import io.opsagent.agent.llm.ModelClient;
import io.opsagent.agent.llm.RulesEngine;
import io.opsagent.agent.run.FallbackReason;
import io.opsagent.agent.run.OpsRun;
import io.opsagent.agent.run.RunOutcome;
import io.opsagent.agent.run.RunStatus;
import io.opsagent.agent.tools.OpsTools;
import io.opsagent.config.ModelPrice;
import io.opsagent.notify.Delivery;
import io.opsagent.notify.delivery.NotificationRepository;
import io.opsagent.trust.KillSwitch;
import io.opsagent.trust.Mode;
import io.opsagent.trust.TenantSettings;
import java.math.BigDecimal;
import java.util.Locale;
import java.util.Optional;

/**
 * The review of a running cycle: opens its {@link ToolSession} (the tenant's mode, the kill switch,
 * the action budget), lists the pages code sent before it, runs the {@link ModelLoop} and turns what
 * it accumulated into the run's outcome, {@code completed} or {@code failed} with the reason: a
 * failure of the loop is the outcome, not thrown.
 */
final class Review {
  private final OpsTools tools;
  private final ActionGate gate;
  private final TenantSettings settings;
  private final KillSwitch killSwitch;
  private final NotificationRepository pages;
  private final ModelLoop loop;
  private final ModelClient model;
  private final Optional<ModelPrice> price;
  private final String promptSha256;

  Review(OpsTools tools, ActionGate gate, TenantSettings settings, KillSwitch killSwitch,
      NotificationRepository pages, ModelLoop loop, ModelClient model, Optional<ModelPrice> price,
      String promptSha256) {
    this.tools = tools;
    this.gate = gate;
    this.settings = settings;
    this.killSwitch = killSwitch;
    this.pages = pages;
    this.loop = loop;
    this.model = model;
    this.price = price;
    this.promptSha256 = promptSha256;
  }

  RunOutcome review(OpsRun run, TenantState state, String stateJson, Progress p, TenantCycleLock.Held held) {
    p.settings = settings.get(run.tenantId());
    try {
      p.session = new ToolSession(tools, gate.openCycle(), state, run.id(), stateJson,
          new ToolSession.Options(p.settings.mode() == Mode.DRY_RUN, killSwitch::engaged));
      recordCodePages(run, p.session);
      String summary = loop.converse(run, state, stateJson, p, held);
      return outcome(RunStatus.COMPLETED, summary, p, p.note);
    } catch (Exception e) {
      String reason = e instanceof LockLostException ? e.getMessage()
          : e.getClass().getSimpleName() + ": " + e.getMessage();
      String summary = p.truncatedFirstStep ? "cycle failed: the model's reply was truncated"
          : "cycle failed: " + reason;
      return outcome(RunStatus.FAILED, summary, p, reason);
    }
  }

  /**
   * The page code sent for the report that queued this run, before the review (see
   * {@code Incidents#page}): listed in the run's actions as {@code "by": "code"}, so the audit trail
   * shows who paged; not a call of the model, not in its budget.
   */
  private void recordCodePages(OpsRun run, ToolSession session) {
    for (Delivery page : pages.codePagesOf(run.tenantId(), run.id())) {
      ObjectNode input = Json.MAPPER.createObjectNode().put("deploymentId", page.deploymentId())
          .put("workspaceId", page.workspaceId()).put("severity", page.severity().wire()).put("title", page.title());
      if (page.incidentKey() != null) {
        input.put("incidentKey", page.incidentKey());
      }
      session.recordByCode("page", input, "paged by code when the report arrived, before this review"
          + " (delivery " + page.id() + ", " + page.status().name().toLowerCase(Locale.ROOT) + ")");
    }
  }

  private RunOutcome outcome(RunStatus status, String summary, Progress p, String error) {
    ModelClient decider = p.decider == null ? model : p.decider;
    boolean rules = decider instanceof RulesEngine;
    BigDecimal cost = rules ? BigDecimal.ZERO : price
        .map(pr -> pr.cost(p.tokens.input(), p.tokens.output(), p.tokens.cacheWrite(), p.tokens.cacheRead()))
        .orElse(null);
    FallbackReason fallback = p.fallback != null ? p.fallback : rules ? FallbackReason.NO_API_KEY : null;
    return new RunOutcome(status, summary, p.actionsJson(), p.tokens, p.steps, decider.modelId(),
        fallback, cost, error, p.settings.mode() == Mode.DRY_RUN,
        p.reasoning.isEmpty() ? null : String.join("\n\n", p.reasoning),
        rules || p.steps == 0 ? null : promptSha256, p.requestIds);
  }
}
