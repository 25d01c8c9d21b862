package io.opsagent.agent.tools.investigate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.opsagent.Json;
import io.opsagent.agent.cycle.Redactor;
import io.opsagent.agent.tools.ActionClass;
import io.opsagent.agent.tools.OpsTools;
import io.opsagent.config.InvestigationConfig;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code queryMetrics {deploymentId, query, range?}}: runs one of the operator's named PromQL
 * templates for a deployment. The model picks a template by name (an enum in the schema) and never
 * writes PromQL; each placeholder is replaced by the deployment's own value, escaped for a
 * double-quoted PromQL string, so the query can only read what the template scopes to that
 * deployment. A template naming a value the deployment lacks (say {@code {externalId}}) is not run:
 * an empty label value would match series of other deployments.
 *
 * <p>The answer is a summary, not the samples: per series its labels (redacted), min, max, last
 * and the number of points, at most {@link #MAX_SERIES} series (highest max first; the rest
 * counted), at most {@link #MAX_LABELS} labels each.
 */
final class MetricsTool {
  static final String NAME = "queryMetrics";
  static final Map<String, Duration> RANGES = rangeTable();
  static final String DEFAULT_RANGE = "1h";
  static final int MAX_SERIES = 10;
  static final int MAX_LABELS = 10;
  static final int MAX_LABEL_VALUE = 120;

  private MetricsTool() {}

  private static Map<String, Duration> rangeTable() {
    Map<String, Duration> m = new LinkedHashMap<>();
    m.put("now", null);
    m.put("5m", Duration.ofMinutes(5));
    m.put("15m", Duration.ofMinutes(15));
    m.put("1h", Duration.ofHours(1));
    m.put("6h", Duration.ofHours(6));
    m.put("24h", Duration.ofHours(24));
    return java.util.Collections.unmodifiableMap(m);
  }

  static OpsTools.Definition definition(Scope scope, Map<String, String> templates, PrometheusClient prometheus,
      Clock clock) {
    ObjectNode schema = Json.MAPPER.createObjectNode().put("type", "object");
    ObjectNode props = schema.putObject("properties");
    props.putObject("deploymentId").put("type", "string").put("minLength", 1).put("maxLength", 64);
    ArrayNode names = props.putObject("query").put("type", "string").put("maxLength", 64).putArray("enum");
    templates.keySet().stream().sorted().forEach(names::add);
    ArrayNode ranges = props.putObject("range").put("type", "string").put("maxLength", 8).putArray("enum");
    RANGES.keySet().forEach(ranges::add);
    schema.putArray("required").add("deploymentId").add("query");
    schema.put("additionalProperties", false);
    return new OpsTools.Definition(NAME,
        "Runs one of the operator's named metrics queries for a deployment and returns, per series,"
            + " min, max and last over the range (default " + DEFAULT_RANGE + "; \"now\": the current"
            + " value). Queries: " + String.join(", ", templates.keySet().stream().sorted().toList())
            + ". Use it to see whether errors, latency, restarts or memory rose, and since when (for"
            + " example since the last version change).",
        schema, ActionClass.SAFE, (ctx, in) -> {
          Target t = scope.target(ctx.tenantId(), in.get("deploymentId").asText());
          String name = in.get("query").asText();
          String range = in.path("range").asText(DEFAULT_RANGE);
          String promql = render(templates.get(name), t)
              .orElseThrow(() -> new IllegalStateException("query '" + name + "' needs a value deployment '"
                  + t.deployment().name() + "' does not have (" + missing(templates.get(name), t) + ")"));
          JsonNode data = prometheus.query(promql, RANGES.get(range), clock.instant());
          return summary(t.deployment().id(), name, range, data).toString();
        });
  }

  /** {@code template} with every placeholder replaced by {@code t}'s value, escaped; empty if one is missing. */
  static Optional<String> render(String template, Target t) {
    String out = template;
    for (String p : InvestigationConfig.placeholders(template)) {
      Optional<String> v = t.value(p);
      if (v.isEmpty()) {
        return Optional.empty();
      }
      out = out.replace("{" + p + "}", escape(v.get()));
    }
    return Optional.of(out);
  }

  private static String missing(String template, Target t) {
    return InvestigationConfig.placeholders(template).stream().filter(p -> t.value(p).isEmpty())
        .map(p -> "{" + p + "}").distinct().reduce((a, b) -> a + ", " + b).orElse("");
  }

  /** {@code value} escaped for a double-quoted PromQL string. */
  static String escape(String value) {
    StringBuilder sb = new StringBuilder();
    for (char c : value.toCharArray()) {
      switch (c) {
        case '\\' -> sb.append("\\\\");
        case '"' -> sb.append("\\\"");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        default -> sb.append(c);
      }
    }
    return sb.toString();
  }

  private record Series(ObjectNode labels, double min, double max, double last, int points) {}

  static ObjectNode summary(String deploymentId, String name, String range, JsonNode data) {
    List<Series> all = new ArrayList<>();
    for (JsonNode r : data.path("result")) {
      List<Double> values = new ArrayList<>();
      if (r.has("values")) {
        r.get("values").forEach(v -> values.add(number(v.path(1).asText())));
      } else if (r.has("value")) {
        values.add(number(r.get("value").path(1).asText()));
      }
      if (values.isEmpty()) {
        continue;
      }
      double min = values.stream().filter(v -> !v.isNaN()).min(Double::compare).orElse(Double.NaN);
      double max = values.stream().filter(v -> !v.isNaN()).max(Double::compare).orElse(Double.NaN);
      all.add(new Series(labels(r.path("metric")), min, max, values.get(values.size() - 1), values.size()));
    }
    if ("scalar".equals(data.path("resultType").asText()) && data.path("result").isArray()) {
      double v = number(data.path("result").path(1).asText());
      all.add(new Series(Json.MAPPER.createObjectNode(), v, v, v, 1));
    }
    all.sort(Comparator.comparingDouble((Series s) -> Double.isNaN(s.max()) ? Double.NEGATIVE_INFINITY : s.max())
        .reversed());
    ObjectNode out = Json.MAPPER.createObjectNode().put("deploymentId", deploymentId).put("query", name)
        .put("range", range);
    ArrayNode series = out.putArray("series");
    for (Series s : all.subList(0, Math.min(MAX_SERIES, all.size()))) {
      ObjectNode n = series.addObject();
      n.set("labels", s.labels());
      put(n, "min", s.min());
      put(n, "max", s.max());
      put(n, "last", s.last());
      n.put("points", s.points());
    }
    out.put("seriesShown", series.size()).put("seriesOmitted", Math.max(0, all.size() - MAX_SERIES));
    return out;
  }

  private static ObjectNode labels(JsonNode metric) {
    ObjectNode out = Json.MAPPER.createObjectNode();
    int n = 0;
    for (Iterator<Map.Entry<String, JsonNode>> it = metric.fields(); it.hasNext() && n < MAX_LABELS; n++) {
      Map.Entry<String, JsonNode> e = it.next();
      out.put(Json.truncate(e.getKey(), 60),
          Json.truncate(Redactor.redact(e.getValue().asText()).replaceAll("\\p{Cntrl}", " "), MAX_LABEL_VALUE));
    }
    return out;
  }

  private static double number(String s) {
    try {
      return Double.parseDouble(s);
    } catch (NumberFormatException e) {
      return Double.NaN;
    }
  }

  private static void put(ObjectNode n, String field, double v) {
    if (Double.isNaN(v) || Double.isInfinite(v)) {
      n.put(field, Double.toString(v));
    } else {
      n.put(field, v);
    }
  }
}
