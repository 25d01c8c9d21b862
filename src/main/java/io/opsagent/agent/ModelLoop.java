package io.opsagent.agent;

import io.opsagent.agent.cycle.ContextBuilder;
import io.opsagent.agent.cycle.EvidenceSource;
import io.opsagent.agent.cycle.TenantState;
import io.opsagent.agent.cycle.SystemPrompt;
import io.opsagent.agent.cycle.TenantCycleLock;
import io.opsagent.agent.llm.Block;
import io.opsagent.agent.llm.ChatMessage;
import io.opsagent.agent.llm.ModelClient;
import io.opsagent.agent.llm.ModelException;
import io.opsagent.agent.llm.ModelReply;
import io.opsagent.agent.llm.ModelRequest;
import io.opsagent.agent.llm.RulesEngine;
import io.opsagent.agent.run.FallbackReason;
import io.opsagent.agent.run.OpsRun;
import io.opsagent.agent.run.RunRepository;
import io.opsagent.agent.tools.OpsTools;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The model's tool loop of one reviewed cycle: at most {@code maxSteps} model calls (the rules
 * engine instead when the kill switch or the token budget blocks the model), each turn's tool calls
 * run through the cycle's {@code ToolSession} and recorded before the next call, a truncated reply
 * never executed, and one last request for the summary when the step limit is reached. Returns the
 * run's summary; stops before the next tool call once the tenant's cycle lock is lost.
 */
final class ModelLoop {
  private static final Logger log = LoggerFactory.getLogger(OpsAgent.class);

  private final ModelClient model;
  private final RulesEngine rules = new RulesEngine();
  private final OpsTools tools;
  private final RunRepository runs;
  private final ModelBudget budget;
  private final int maxSteps;
  private final EvidenceSource evidence;

  ModelLoop(ModelClient model, OpsTools tools, RunRepository runs, ModelBudget budget, int maxSteps,
      EvidenceSource evidence) {
    this.evidence = evidence;
    this.model = model;
    this.tools = tools;
    this.runs = runs;
    this.budget = budget;
    this.maxSteps = maxSteps;
  }

  String converse(OpsRun run, TenantState state, String stateJson, Progress p, TenantCycleLock.Held held) {
    List<ChatMessage> messages = new ArrayList<>();
    messages.add(ChatMessage.userText(ContextBuilder.message(stateJson, evidence.gather(state))));
    p.decider = model;
    if (!(model instanceof RulesEngine)) {
      p.fallback = budget.blocked(run.tenantId(), run.id(), p).orElse(null);
      if (p.fallback != null) {
        p.decider = rules;
      }
    }
    while (true) {
      if (p.steps > 0 && !(p.decider instanceof RulesEngine)) {
        Optional<FallbackReason> blocked = budget.blocked(run.tenantId(), run.id(), p);
        if (blocked.isPresent()) {
          p.note = ModelBudget.note(blocked.get());
          return withBudgetNote("Stopped: " + p.note + "; no further model call was made."
              + (p.lastText.isEmpty() ? "" : " Last model text: " + p.lastText), p);
        }
      }
      ModelReply reply = call(p.decider, messages, false, p);
      p.lastText = reply.text();
      if (reply.stopReason() == ModelReply.StopReason.MAX_TOKENS) {
        // the reply was cut off: its tool calls may be incomplete, so none of them is executed
        p.note = "truncated: the model's reply hit max_tokens in step " + p.steps
            + (reply.toolUses().isEmpty() ? "" : "; its " + reply.toolUses().size()
                + " tool call(s) were not executed");
        if (p.steps == 1) {
          p.truncatedFirstStep = true;
          throw new IllegalStateException(p.note);
        }
        String text = reply.text();
        return withBudgetNote("Stopped early (" + p.note + ")." + (text.isEmpty() ? "" : " " + text), p);
      }
      messages.add(ChatMessage.assistant(reply.content()));
      List<Block.ToolUse> uses = reply.toolUses();
      if (uses.isEmpty()) {
        return withBudgetNote(reply.text().isEmpty() ? "(the model gave no summary)" : reply.text(), p);
      }
      List<Block> results = new ArrayList<>();
      boolean unrecorded = false;
      for (Block.ToolUse use : uses) {
        if (!held.isHeld()) {
          throw new LockLostException();
        }
        int refusedBefore = p.session.refused();
        results.add(p.session.call(use));
        if (p.session.refused() == refusedBefore) {
          runs.recordActions(run.id(), p.session.actionsJson()); // it acted: recorded before the next call
          unrecorded = false;
        } else {
          unrecorded = true; // refused, no side effect: recorded with the turn (one write, not one per call)
        }
      }
      if (unrecorded) {
        runs.recordActions(run.id(), p.session.actionsJson());
      }
      if (p.steps >= maxSteps) {
        p.note = "step limit of " + maxSteps + " reached while the model was still calling tools";
        results.add(new Block.Text("The step limit of this cycle is reached: no more tool calls. Reply"
            + " with a short summary of what you found and did."));
        messages.add(ChatMessage.user(results));
        return withBudgetNote("Stopped: " + p.note + ". " + finalSummary(run, messages, p), p);
      }
      messages.add(ChatMessage.user(results));
    }
  }

  /** At the step limit: one last request, tools listed but {@code tool_choice: none}, for the summary. */
  private String finalSummary(OpsRun run, List<ChatMessage> messages, Progress p) {
    String last = p.lastText.isEmpty() ? "" : "Last model text: " + p.lastText;
    if (p.decider instanceof RulesEngine) {
      return last;
    }
    Optional<FallbackReason> blocked = budget.blocked(run.tenantId(), run.id(), p);
    if (blocked.isPresent()) {
      return "No summary was asked for: " + ModelBudget.note(blocked.get()) + ". " + last;
    }
    try {
      ModelReply reply = call(p.decider, messages, true, p);
      return reply.text().isEmpty() ? last : reply.text();
    } catch (ModelException e) {
      // the cycle's work is done and recorded: a failed summary request does not fail it
      log.warn("summary request failed tenant={} run={} error={}", run.tenantId(), run.id(), e.getMessage());
      return "The summary request failed (" + e.getMessage() + "). " + last;
    }
  }

  /** One model call, accounted: steps, tokens, request id, and its text as reasoning. */
  private ModelReply call(ModelClient decider, List<ChatMessage> messages, boolean noMoreTools, Progress p) {
    ModelReply reply = decider.complete(new ModelRequest(SystemPrompt.TEXT, tools.specs(), messages,
        noMoreTools));
    p.steps++;
    p.tokens = p.tokens.plus(reply.usage());
    if (reply.requestId() != null) {
      p.requestIds.add(reply.requestId());
    }
    if (!reply.text().isEmpty()) {
      p.reasoning.add(reply.text());
    }
    return reply;
  }

  private static String withBudgetNote(String summary, Progress p) {
    int over = p.session.refusedOverBudget();
    return over == 0 ? summary : summary + "\n[Action budget of " + p.session.budget()
        + " calls per cycle was hit: " + over + " call(s) refused.]";
  }
}
