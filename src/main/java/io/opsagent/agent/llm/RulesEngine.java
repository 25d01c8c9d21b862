package io.opsagent.agent.llm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.opsagent.Json;
import io.opsagent.agent.run.TokenUsage;
import io.opsagent.platform.Deployment;
import io.opsagent.platform.DeploymentStatus;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The deterministic stand-in for Claude when there is no API key (and, once the guardrails wire it,
 * while Claude is unreachable): it alerts critical on each FAILED deployment, warning on each
 * DEGRADED one and on each failed or overdue backup, and otherwise reports "all clear".
 *
 * <p>It decides from the {@code <state>} JSON document of the first user message (written by the
 * ops loop's context builder: arrays {@code failed}, {@code degraded}, {@code backupProblems}) and
 * acts only through {@code sendAlert} tool calls (the alert about a FAILED deployment says what
 * the {@code <evidence>} document after the state showed: "down" or "flapping" by its health probe,
 * and its key log line), so the same validation, guardrails and recording
 * apply as for the model. Two turns at most: the alerts, then a summary. Costs no tokens.
 */
public final class RulesEngine implements ModelClient {
  public static final String MODEL_ID = "rules";
  private static final ObjectMapper JSON = Json.MAPPER;
  private static final Pattern ERRORISH =
      Pattern.compile("(?i)\\b(error|exception|fatal|panic|killed|oom|fail(ed|ure)?|refused|timeout)\\b");

  @Override
  public String modelId() {
    return MODEL_ID;
  }

  @Override
  public ModelReply complete(ModelRequest request) {
    List<ChatMessage> messages = request.messages();
    ChatMessage last = messages.get(messages.size() - 1);
    if (last.blocks().stream().anyMatch(Block.ToolResult.class::isInstance)) {
      return endTurn(summary(last));
    }
    JsonNode state = state(messages.get(0));
    Map<String, JsonNode> evidence = evidence(messages.get(0));
    List<Block> calls = new ArrayList<>();
    for (JsonNode d : state.path("failed")) {
      calls.add(alert(calls.size(), d, "critical",
          Deployment.statusAlertTitle(d.path("name").asText(), DeploymentStatus.FAILED),
          statusBody(d, DeploymentStatus.FAILED)
              + observed(evidence.get(d.path("deploymentId").asText()))));
    }
    for (JsonNode d : state.path("degraded")) {
      calls.add(alert(calls.size(), d, "warning",
          Deployment.statusAlertTitle(d.path("name").asText(), DeploymentStatus.DEGRADED),
          statusBody(d, DeploymentStatus.DEGRADED)));
    }
    for (JsonNode b : state.path("backupProblems")) {
      String problem = b.path("problem").asText();
      calls.add(alert(calls.size(), b, "warning",
          "Backup " + problem + " for " + b.path("name").asText(),
          describe(b) + ": the backup is " + problem + " (last backup "
              + b.path("lastBackupAt").asText("never") + ", status "
              + b.path("lastBackupStatus").asText("unknown") + ")."));
    }
    if (calls.isEmpty()) {
      return endTurn("All clear: no failed or degraded deployments and no backup problems.");
    }
    return new ModelReply(calls, ModelReply.StopReason.TOOL_USE, TokenUsage.NONE);
  }

  /**
   * What the evidence of a FAILED deployment adds to its alert, in stable words: whether its health
   * probe tells "down" (no answer, an error status) from "flapping" (it answers 2xx), and the key
   * line of its logs; nothing when there is no evidence, so the alert repeats code's page exactly.
   */
  static String observed(JsonNode e) {
    if (e == null) {
      return "";
    }
    StringBuilder out = new StringBuilder();
    JsonNode h = e.path("health");
    switch (h.path("outcome").asText()) {
      case "answered" -> out.append(h.path("healthy").asBoolean()
          ? " Its health endpoint answers (HTTP " + h.path("status").asInt() + "): it is flapping or recovering"
              + " rather than down; check its recent restarts."
          : " Its health endpoint answers HTTP " + h.path("status").asInt() + ": it is down.");
      case "unreachable" -> out.append(" Its health endpoint does not answer (").append(h.path("detail").asText())
          .append("): it is down.");
      default -> { }
    }
    keyLine(e.path("logs").path("untrustedLines"))
        .ifPresent(line -> out.append(" Last log line: \"").append(line).append("\"."));
    return out.toString();
  }

  /**
   * The key line of a logs answer's {@code untrustedLines}: the last that reads like an error,
   * else the last one (at most 200 characters); the same for the rules engine and code's page.
   */
  public static java.util.Optional<String> keyLine(JsonNode lines) {
    String last = null;
    String errorish = null;
    for (JsonNode l : lines) {
      last = l.asText();
      if (ERRORISH.matcher(last).find()) {
        errorish = last;
      }
    }
    String line = errorish != null ? errorish : last;
    return line == null || line.isBlank() ? java.util.Optional.empty()
        : java.util.Optional.of(io.opsagent.Json.truncate(line.strip(), 200));
  }

  /** The {@code <evidence>} document of the context message by deployment id (none: empty). */
  private static Map<String, JsonNode> evidence(ChatMessage first) {
    String text = first.blocks().stream().filter(Block.Text.class::isInstance)
        .map(b -> ((Block.Text) b).text()).findFirst().orElse("");
    int start = text.indexOf("<evidence>");
    int end = text.lastIndexOf("</evidence>");
    Map<String, JsonNode> out = new HashMap<>();
    if (start < 0 || end < start) {
      return out;
    }
    try {
      for (JsonNode d : JSON.readTree(text.substring(start + "<evidence>".length(), end)).path("deployments")) {
        out.put(d.path("deploymentId").asText(), d);
      }
    } catch (java.io.IOException e) {
      return out; // unreadable evidence: the alert goes out without it
    }
    return out;
  }

  private static String statusBody(JsonNode d, DeploymentStatus status) {
    return Deployment.statusAlertBody(d.path("name").asText(), d.path("deploymentId").asText(),
        d.path("workspace").asText(), status);
  }

  private static String describe(JsonNode d) {
    return "Deployment '" + d.path("name").asText() + "' (" + d.path("deploymentId").asText()
        + ") in workspace '" + d.path("workspace").asText() + "'";
  }

  /** An alert about deployment {@code d} of the state document; it names the deployment, so joins its incident. */
  private static Block alert(int n, JsonNode d, String severity, String title, String body) {
    ObjectNode input = JSON.createObjectNode()
        .put("workspaceId", d.path("workspaceId").asText()).put("severity", severity).put("title", title)
        .put("body", body);
    if (d.hasNonNull("deploymentId")) {
      input.put("deploymentId", d.path("deploymentId").asText());
    }
    return new Block.ToolUse("rules_" + (n + 1), "sendAlert", input);
  }

  private static String summary(ChatMessage results) {
    long total = results.blocks().stream().filter(Block.ToolResult.class::isInstance).count();
    long refused = results.blocks().stream()
        .filter(b -> b instanceof Block.ToolResult r && r.isError()).count();
    return "Rules engine: raised " + total + " alert(s) for failed or degraded deployments and backup"
        + " problems; " + (total - refused) + " sent, " + refused + " refused.";
  }

  private static JsonNode state(ChatMessage first) {
    String text = first.blocks().stream().filter(Block.Text.class::isInstance)
        .map(b -> ((Block.Text) b).text()).findFirst().orElse("");
    int start = text.indexOf("<state>");
    int end = text.lastIndexOf("</state>");
    if (start < 0 || end < start) {
      throw new IllegalStateException("the rules engine needs the <state> document of the context message");
    }
    try {
      return JSON.readTree(text.substring(start + "<state>".length(), end));
    } catch (java.io.IOException e) {
      throw new IllegalStateException("unreadable <state> document", e);
    }
  }

  private static ModelReply endTurn(String text) {
    return new ModelReply(List.of(new Block.Text(text)), ModelReply.StopReason.END_TURN, TokenUsage.NONE);
  }
}
