package io.opsagent.agent.cycle;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.opsagent.Json;
import io.opsagent.agent.guard.ActionGate;
import io.opsagent.agent.llm.Block;
import io.opsagent.agent.tools.ActionClass;
import io.opsagent.agent.tools.OpsTools;
import io.opsagent.agent.tools.Refusal;
import io.opsagent.agent.tools.RefusalReason;
import io.opsagent.agent.tools.ToolOutcome;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tool calls of one cycle: the single pipeline every call goes through, and their record.
 * Used by the cycle's thread only.
 *
 * <p>Pipeline: known tool → input valid against its schema → {@code workspaceId} (if any) among
 * the tenant's workspaces (another tenant's workspace gets exactly the refusal of a nonexistent one)
 * → not a repeat of a call already made in this cycle (same name, same normalised input: a loop)
 * → {@link ActionGate} → execute. Every call, whatever its outcome, is appended to the actions as
 * {@code {name, input, allowed, result, reason}}.
 *
 * <p>In dry-run, a notifying or mutating call passes the same pipeline, then gives back what the
 * gate claimed for it (alert window, cooldown) and is recorded, not executed: its entry has
 * {@code "dryRun": true} and a result saying what would have been done. While the kill switch is
 * engaged no mutating call executes.
 */
public final class ToolSession {
  private static final Logger log = LoggerFactory.getLogger(ToolSession.class);
  private static final ObjectMapper JSON = Json.MAPPER;
  private static final ObjectMapper SORTED = Json.CANONICAL;
  static final String REPEATED = "repeated call";
  static final int MAX_RECORDED_RESULT = 2000;

  private final OpsTools tools;
  private final ActionGate.Gate gate;
  private final TenantState state;
  private final OpsTools.CallContext context;
  private final ArrayNode actions = JSON.createArrayNode();
  private final Options options;
  private final Set<String> seen = new HashSet<>();
  private int refused;
  private int byCode;
  private boolean lastDry;

  /**
   * How the session treats calls beyond the pipeline: {@code dryRun} records notifying and mutating
   * calls without executing them; {@code killSwitch} answers true while mutating calls must not run.
   */
  public record Options(boolean dryRun, BooleanSupplier killSwitch) {
    public static final Options LIVE = new Options(false, () -> false);
  }

  public ToolSession(OpsTools tools, ActionGate.Gate gate, TenantState state, String runId, String stateJson) {
    this(tools, gate, state, runId, stateJson, Options.LIVE);
  }

  public ToolSession(OpsTools tools, ActionGate.Gate gate, TenantState state, String runId, String stateJson,
      Options options) {
    this.tools = tools;
    this.gate = gate;
    this.state = state;
    this.context = new OpsTools.CallContext(state.tenantId(), runId, stateJson);
    this.options = options;
  }

  public Block.ToolResult call(Block.ToolUse use) {
    lastDry = false;
    ToolOutcome outcome = outcome(use.name(), use.input());
    record(use, outcome);
    return new Block.ToolResult(use.id(), outcome.text(), !(outcome instanceof ToolOutcome.Executed));
  }

  private ToolOutcome outcome(String name, JsonNode input) {
    ToolOutcome outcome = gated(name, input);
    if (!(outcome instanceof ToolOutcome.Refused r && r.kind() == RefusalReason.REPEATED_CALL)) {
      seen.add(key(name, input));
    }
    return outcome;
  }

  /** The call's name and input with object keys sorted: what makes two calls "the same". */
  private static String key(String name, JsonNode input) {
    try {
      Object plain = input == null ? null : SORTED.convertValue(input, Object.class);
      return name + "\n" + SORTED.writeValueAsString(plain);
    } catch (Exception e) {
      return name + "\n" + input;
    }
  }

  private ToolOutcome gated(String name, JsonNode input) {
    Optional<OpsTools.Definition> found = tools.find(name);
    if (found.isEmpty()) {
      return new ToolOutcome.Refused(RefusalReason.UNKNOWN_TOOL, "unknown tool '" + name + "'");
    }
    OpsTools.Definition def = found.get();
    Optional<String> invalid = tools.problems(name, input);
    if (invalid.isPresent()) {
      return new ToolOutcome.Refused(RefusalReason.INVALID_INPUT, "invalid input: " + invalid.get());
    }
    JsonNode workspaceId = input.get("workspaceId");
    if (workspaceId != null && !state.ownsWorkspace(workspaceId.asText())) {
      return new ToolOutcome.Refused(RefusalReason.SCOPE, "unknown workspaceId '" + workspaceId.asText() + "'");
    }
    if (seen.contains(key(name, input))) {
      return new ToolOutcome.Refused(RefusalReason.REPEATED_CALL, REPEATED + ": this exact call (same tool, same input) was already"
          + " made in this cycle; its result stands. Do not repeat it: continue, or finish with your summary");
    }
    boolean mutating = def.actionClass() == ActionClass.MUTATING;
    if (mutating && options.killSwitch().getAsBoolean()) {
      return new ToolOutcome.Refused(RefusalReason.POLICY, "the kill switch is engaged: no mutating action runs");
    }
    ActionGate.Call call = new ActionGate.Call(state.tenantId(), context.runId(), name,
        def.actionClass(), input);
    Optional<Refusal> refusal = gate.admit(call);
    if (refusal.isPresent()) {
      return new ToolOutcome.Refused(refusal.get());
    }
    if (options.dryRun() && (mutating || tools.notifies(name))) {
      gate.notExecuted(call);
      lastDry = true;
      return new ToolOutcome.Executed("dry-run: validated and admitted, not executed; would have called "
          + name + " with " + input);
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
          .put("refusal", r.kind().wire());
      log.debug("tool call refused tool={} reason={}", use.name(), r.reason());
    } else {
      a.put("allowed", true).put("result", ContextBuilder.cap(outcome.text(), MAX_RECORDED_RESULT))
          .putNull("reason");
      if (lastDry) {
        a.put("dryRun", true);
      }
    }
  }

  /**
   * Records what code did for this run before the model was asked (the page of the report that
   * queued it), as an entry {@code "by": "code"}: in the audit trail, not a call of the model and not
   * counted in its action budget.
   */
  public void recordByCode(String name, ObjectNode input, String result) {
    actions.addObject().put("name", name).put("by", "code").<ObjectNode>set("input", input)
        .put("allowed", true).put("result", ContextBuilder.cap(result, MAX_RECORDED_RESULT)).putNull("reason");
    byCode++;
  }

  public String actionsJson() {
    return actions.toString();
  }

  /** The model's calls (entries recorded by code not counted). */
  public int calls() {
    return actions.size() - byCode;
  }

  public int refused() {
    return refused;
  }

  /** Whether this session records notifying and mutating calls instead of executing them. */
  public boolean dryRun() {
    return options.dryRun();
  }

  public int refusedOverBudget() {
    return gate.refusedOverBudget();
  }

  public int budget() {
    return gate.budget();
  }
}
