package io.opsagent.eval;

import java.util.List;
import java.util.Map;

/**
 * What the investigation tools answer in one case, by deployment name: the health endpoint's
 * answers to successive probes, the platform's log lines, and Prometheus's series per query name.
 * A deployment the case says nothing about has no {@code healthUrl}, no log lines and no series,
 * as a deployment of a real platform may.
 */
public record ToolAnswers(Map<String, List<Health>> health, Map<String, Logs> logs,
    Map<String, Map<String, List<Series>>> metrics) {

  /** The PromQL templates the harness configures ({@code OPSAGENT_PROMETHEUS_QUERIES}), by name. */
  public static final List<String> QUERIES = List.of("cpu", "error_rate", "latency_p99", "memory", "restarts");

  /** The tools' answers of a case that names none. */
  public static final ToolAnswers NONE = new ToolAnswers(Map.of(), Map.of(), Map.of());

  public ToolAnswers {
    health = Map.copyOf(health);
    logs = Map.copyOf(logs);
    metrics = Map.copyOf(metrics);
  }

  /**
   * One answer of the health endpoint: HTTP {@code status} with {@code body} after {@code ms}
   * milliseconds, or, {@code unreachable}, the connection closed without an answer.
   */
  public record Health(boolean unreachable, int status, long ms, String body) {}

  /** The last lines of the current run and of the run before the last restart ({@code previous}), oldest first. */
  public record Logs(List<String> lines, List<String> previous) {}

  /** One series: its labels and its values, oldest first, spread over whatever range is asked. */
  public record Series(Map<String, String> labels, List<Double> values) {}
}
