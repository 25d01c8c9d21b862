package io.opsagent.eval;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.opsagent.Json;
import io.opsagent.eval.ToolAnswers.Series;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Prometheus's query API as far as {@code queryMetrics} uses it, answered from the cases:
 * {@code /api/v1/query} (a vector: each series' last value) and {@code /api/v1/query_range} (a
 * matrix: each series' values spread evenly from {@code start} to {@code end}), in Prometheus's
 * JSON shape. The harness's templates ({@link #queries()}) name the query and the deployment in
 * the PromQL itself, so the answer is found from the query text alone, as the real tool renders it.
 */
final class FakePrometheus {
  private static final Pattern QUERY = Pattern.compile("opsagent_eval\\{query=\"([a-z0-9_]+)\",deployment_id=\"([^\"]*)\"}");

  private FakePrometheus() {}

  /** {@code OPSAGENT_PROMETHEUS_QUERIES}: every name of {@link ToolAnswers#QUERIES}, scoped to the deployment. */
  static String queries() {
    return ToolAnswers.QUERIES.stream()
        .map(q -> q + "=opsagent_eval{query=\"" + q + "\",deployment_id=\"{deploymentId}\"}")
        .collect(Collectors.joining(";"));
  }

  /** An HTTP status and JSON body. */
  record Answer(int status, String json) {}

  /**
   * The answer to {@code path} with query parameters {@code params}; {@code series} gives a
   * deployment id's series by query name (none: empty).
   */
  static Answer answer(String path, Map<String, String> params, Function<String, Map<String, List<Series>>> series) {
    boolean range = path.endsWith("/api/v1/query_range");
    if (!range && !path.endsWith("/api/v1/query")) {
      return error(404, "not_found", "unknown path " + path);
    }
    Matcher m = QUERY.matcher(params.getOrDefault("query", ""));
    if (!m.matches()) {
      return error(400, "bad_data", "the harness answers only its own templates, got " + params.get("query"));
    }
    List<Series> found = series.apply(m.group(2)).getOrDefault(m.group(1), List.of());
    ObjectNode root = Json.MAPPER.createObjectNode().put("status", "success");
    ObjectNode data = root.putObject("data").put("resultType", range ? "matrix" : "vector");
    ArrayNode result = data.putArray("result");
    try {
      if (range) {
        double start = Double.parseDouble(params.get("start"));
        double end = Double.parseDouble(params.get("end"));
        for (Series s : found) {
          ArrayNode values = metric(result, s).putArray("values");
          int n = s.values().size();
          for (int i = 0; i < n; i++) {
            double at = n == 1 ? end : start + (end - start) * i / (n - 1);
            values.addArray().add(at).add(text(s.values().get(i)));
          }
        }
      } else {
        double time = Double.parseDouble(params.get("time"));
        for (Series s : found) {
          metric(result, s).putArray("value").add(time).add(text(s.values().get(s.values().size() - 1)));
        }
      }
    } catch (NullPointerException | NumberFormatException e) {
      return error(400, "bad_data", "start, end and time must be Unix seconds");
    }
    return new Answer(200, root.toString());
  }

  private static ObjectNode metric(ArrayNode result, Series s) {
    ObjectNode r = result.addObject();
    ObjectNode labels = r.putObject("metric");
    s.labels().forEach(labels::put);
    return r;
  }

  /** A sample value as Prometheus writes it: a string ("0.25", "NaN", "+Inf"). */
  private static String text(double v) {
    if (Double.isNaN(v)) {
      return "NaN";
    }
    if (Double.isInfinite(v)) {
      return v > 0 ? "+Inf" : "-Inf";
    }
    return BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
  }

  private static Answer error(int status, String type, String message) {
    return new Answer(status, Json.MAPPER.createObjectNode().put("status", "error").put("errorType", type)
        .put("error", message).toString());
  }
}
