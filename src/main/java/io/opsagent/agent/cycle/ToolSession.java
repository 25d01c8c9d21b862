package io.opsagent.agent.cycle;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.opsagent.agent.guard.ActionGate;
import io.opsagent.agent.llm.Block;
import io.opsagent.agent.tools.InputValidator;
import io.opsagent.agent.tools.OpsTools;
import io.opsagent.agent.tools.RefusalReason;
import io.opsagent.agent.tools.ToolOutcome;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tool calls of one cycle: the single pipeline every call goes through, and their record.
 * Used by the cycle's thread only.
 *
 * <p>Pipeline: known tool → input valid against its schema → {@code workspaceId} (if any) among
 * the tenant's workspaces (another tenant's workspace gets exactly the refusal of a nonexistent one)
 * → {@link ActionGate} → execute. Every call, whatever its outcome, is appended to the actions as
 * {@code {name, input, allowed, result, reason}}.
 */
public final class ToolSession {
  private static final Logger log = LoggerFactory.getLogger(ToolSession.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  static final int MAX_RECORDED_RESULT = 2000;

  private final OpsTools tools;
  private final ActionGate.Gate gate;
  private final TenantState state;
  private final OpsTools.CallContext context;
  private final ArrayNode actions = JSON.createArrayNode();
  private int refused;

  public ToolSession(OpsTools tools, ActionGate.Gate gate, TenantState state, String runId, String stateJson) {
    this.tools = tools;
    this.gate = gate;
    this.state = state;
    this.context = new OpsTools.CallContext(state.tenantId(), runId, stateJson);
  }

  public Block.ToolResult call(Block.ToolUse use) {
    ToolOutcome outcome = outcome(use.name(), use.input());
    record(use, outcome);
    return new Block.ToolResult(use.id(), outcome.text(), !(outcome instanceof ToolOutcome.Executed));
  }

  private ToolOutcome outcome(String name, JsonNode input) {
    Optional<OpsTools.Definition> found = tools.find(name);
    if (found.isEmpty()) {
      return new ToolOutcome.Refused("unknown tool '" + name + "'");
    }
    OpsTools.Definition def = found.get();
    Optional<String> invalid = InputValidator.problems(def.inputSchema(), input);
    if (invalid.isPresent()) {
      return new ToolOutcome.Refused("invalid input: " + invalid.get());
    }
    JsonNode workspaceId = input.get("workspaceId");
    if (workspaceId != null && !state.ownsWorkspace(workspaceId.asText())) {
      return new ToolOutcome.Refused("unknown workspaceId '" + workspaceId.asText() + "'");
    }
    ActionGate.Call call = new ActionGate.Call(state.tenantId(), context.runId(), name,
        def.actionClass(), input);
    Optional<String> refusal = gate.admit(call);
    if (refusal.isPresent()) {
      return new ToolOutcome.Refused(refusal.get());
    }
    try {
      String result = def.handler().execute(context, input);
      gate.executed(call);
      return new ToolOutcome.Executed(result);
    } catch (Exception e) {
      gate.failed(call);
      log.warn("tool failed tool={} error={}", name, e.toString());
      return new ToolOutcome.Failed(e.getClass().getSimpleName() + ": " + e.getMessage());
    }
  }

  private void record(Block.ToolUse use, ToolOutcome outcome) {
    ObjectNode a = actions.addObject().put("name", use.name());
    a.set("input", use.input() == null ? NullNode.getInstance() : use.input());
    if (outcome instanceof ToolOutcome.Refused r) {
      refused++;
      a.put("allowed", false).putNull("result").put("reason", r.reason())
          .put("refusal", RefusalReason.classify(r.reason()).wire());
      log.debug("tool call refused tool={} reason={}", use.name(), r.reason());
    } else {
      a.put("allowed", true).put("result", ContextBuilder.cap(outcome.text(), MAX_RECORDED_RESULT))
          .putNull("reason");
    }
  }

  public String actionsJson() {
    return actions.toString();
  }

  public int calls() {
    return actions.size();
  }

  public int refused() {
    return refused;
  }

  public int refusedOverBudget() {
    return gate.refusedOverBudget();
  }

  public int budget() {
    return gate.budget();
  }
}
