package io.opsagent.eval;

import com.fasterxml.jackson.databind.JsonNode;
import io.opsagent.eval.ToolAnswers.Health;
import io.opsagent.eval.ToolAnswers.Logs;
import io.opsagent.eval.ToolAnswers.Series;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads a case's {@code tools} section as strictly as the rest of the file: tools, deployments
 * and query names must exist, every field must be known and of its kind, so an answer the case
 * meant to give is never silently dropped.
 *
 * <pre>
 * tools:
 *   probeHealth:                  # successive probes get successive answers; the last repeats
 *     api: [{status: 503, ms: 40, body: "down"}, {status: 200}]
 *     web: {unreachable: true}    # one answer: the connection closes without one
 *   getDeploymentLogs:
 *     api: ["line", "line"]       # or {lines: [...], previous: [...]}
 *   queryMetrics:
 *     api:
 *       memory: [0.4, 0.7, 1.0]   # one series; or [{labels: {pod: api-1}, values: [...]}, ...]
 * </pre>
 */
final class ToolAnswersReader {
  static final Set<String> TOOLS = Set.of("getDeploymentLogs", "probeHealth", "queryMetrics");
  static final int MAX_LATENCY_MS = 10_000;

  private final String source;
  private final Set<String> deployments;

  private ToolAnswersReader(String source, Set<String> deployments) {
    this.source = source;
    this.deployments = deployments;
  }

  /** The answers of {@code tools} (absent: none), for a case whose deployments are named {@code deployments}. */
  static ToolAnswers read(String source, JsonNode tools, Set<String> deployments) {
    if (tools == null || tools.isMissingNode() || tools.isNull()) {
      return ToolAnswers.NONE;
    }
    return new ToolAnswersReader(source, deployments).read(tools);
  }

  private ToolAnswers read(JsonNode tools) {
    if (!tools.isObject()) {
      throw new BadCaseException(source, "tools", "must be an object keyed by tool name");
    }
    for (Iterator<String> it = tools.fieldNames(); it.hasNext(); ) {
      String tool = it.next();
      if (!TOOLS.contains(tool)) {
        throw new BadCaseException(source, "tools." + tool, "unknown tool; one of " + new TreeSet<>(TOOLS));
      }
    }
    Map<String, List<Health>> health = new LinkedHashMap<>();
    byDeployment(tools, "probeHealth").forEach((name, node) -> health.put(name, health("tools.probeHealth." + name, node)));
    Map<String, Logs> logs = new LinkedHashMap<>();
    byDeployment(tools, "getDeploymentLogs").forEach((name, node) -> logs.put(name, logs("tools.getDeploymentLogs." + name, node)));
    Map<String, Map<String, List<Series>>> metrics = new LinkedHashMap<>();
    byDeployment(tools, "queryMetrics").forEach((name, node) -> metrics.put(name, metrics("tools.queryMetrics." + name, node)));
    return new ToolAnswers(health, logs, metrics);
  }

  private Map<String, JsonNode> byDeployment(JsonNode tools, String tool) {
    Map<String, JsonNode> out = new LinkedHashMap<>();
    JsonNode t = tools.get(tool);
    if (t == null || t.isNull()) {
      return out;
    }
    if (!t.isObject()) {
      throw new BadCaseException(source, "tools." + tool, "must be an object keyed by deployment name");
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = t.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!deployments.contains(e.getKey())) {
        throw new BadCaseException(source, "tools." + tool + "." + e.getKey(),
            "no deployment of the case has this name; deployments: " + new TreeSet<>(deployments));
      }
      out.put(e.getKey(), e.getValue());
    }
    return out;
  }

  private List<Health> health(String path, JsonNode node) {
    List<JsonNode> answers = new ArrayList<>();
    if (node.isArray() && !node.isEmpty()) {
      node.forEach(answers::add);
    } else if (node.isObject()) {
      answers.add(node);
    } else {
      throw new BadCaseException(source, path, "must be an answer {status, ms, body} or {unreachable: true},"
          + " or a non-empty list of them");
    }
    List<Health> out = new ArrayList<>();
    for (int i = 0; i < answers.size(); i++) {
      String at = node.isArray() ? path + "[" + i + "]" : path;
      CaseFields a = new CaseFields(source, at, answers.get(i), Set.of("status", "ms", "body", "unreachable"));
      boolean unreachable = a.bool("unreachable", false);
      if (unreachable && a.node().has("status")) {
        throw a.bad("status", "an unreachable endpoint answers no status");
      }
      if (!unreachable && !a.node().has("status")) {
        throw a.bad("status", "is required (100-599), unless unreachable: true");
      }
      int status = a.integer("status", 0);
      if (!unreachable && (status < 100 || status > 599)) {
        throw a.bad("status", "must be an HTTP status, 100-599");
      }
      int ms = a.integer("ms", 0);
      if (ms > MAX_LATENCY_MS) {
        throw a.bad("ms", "at most " + MAX_LATENCY_MS + " (the probe gives up after 2 s)");
      }
      out.add(new Health(unreachable, status, ms, a.text("body", "")));
    }
    return out;
  }

  private Logs logs(String path, JsonNode node) {
    if (node.isArray()) {
      return new Logs(texts(path, node), List.of());
    }
    if (!node.isObject()) {
      throw new BadCaseException(source, path, "must be a list of lines, or {lines: [...], previous: [...]}");
    }
    CaseFields f = new CaseFields(source, path, node, Set.of("lines", "previous"));
    return new Logs(f.strings("lines"), f.strings("previous"));
  }

  private List<String> texts(String path, JsonNode node) {
    List<String> out = new ArrayList<>();
    for (JsonNode l : node) {
      if (!l.isValueNode() || l.isNull()) {
        throw new BadCaseException(source, path, "must be a list of text");
      }
      out.add(l.asText());
    }
    return out;
  }

  private Map<String, List<Series>> metrics(String path, JsonNode node) {
    if (!node.isObject()) {
      throw new BadCaseException(source, path, "must be an object keyed by query name; one of " + ToolAnswers.QUERIES);
    }
    Map<String, List<Series>> out = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String at = path + "." + e.getKey();
      if (!ToolAnswers.QUERIES.contains(e.getKey())) {
        throw new BadCaseException(source, at, "unknown query; one of " + ToolAnswers.QUERIES);
      }
      out.put(e.getKey(), series(at, e.getValue()));
    }
    return out;
  }

  private List<Series> series(String path, JsonNode node) {
    if (!node.isArray()) {
      throw new BadCaseException(source, path, "must be a list of numbers (one series) or of series"
          + " {labels: {...}, values: [...]}");
    }
    if (node.isEmpty() || node.get(0).isNumber()) {
      return node.isEmpty() ? List.of() : List.of(new Series(Map.of(), numbers(path, node)));
    }
    List<Series> out = new ArrayList<>();
    for (int i = 0; i < node.size(); i++) {
      String at = path + "[" + i + "]";
      CaseFields s = new CaseFields(source, at, node.get(i), Set.of("labels", "values"));
      JsonNode values = s.node().get("values");
      if (values == null || !values.isArray() || values.isEmpty()) {
        throw s.bad("values", "is required: a non-empty list of numbers");
      }
      out.add(new Series(labels(at + ".labels", s.node().get("labels")), numbers(at + ".values", values)));
    }
    return out;
  }

  private Map<String, String> labels(String path, JsonNode node) {
    if (node == null || node.isNull()) {
      return Map.of();
    }
    if (!node.isObject()) {
      throw new BadCaseException(source, path, "must be an object of label names and text values");
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!e.getValue().isValueNode() || e.getValue().isNull()) {
        throw new BadCaseException(source, path + "." + e.getKey(), "must be text");
      }
      out.put(e.getKey(), e.getValue().asText());
    }
    return out;
  }

  private List<Double> numbers(String path, JsonNode node) {
    List<Double> out = new ArrayList<>();
    for (JsonNode v : node) {
      if (!v.isNumber()) {
        throw new BadCaseException(source, path, "must be a list of numbers, got " + v);
      }
      out.add(v.asDouble());
    }
    return out;
  }
}
