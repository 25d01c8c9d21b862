package io.opsagent.worker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.opsagent.action.ActionRefusal;
import io.opsagent.agent.run.OpsRun;
import java.io.IOException;
import java.time.Duration;
import java.util.Locale;

/**
 * Turns each finished run into metrics: {@code opsagent.cycles} by status, trigger and skip reason,
 * {@code opsagent.cycle.duration}, {@code opsagent.model.calls}, {@code opsagent.cost.usd},
 * {@code opsagent.tokens} by direction (input, output, cache_read, cache_write), {@code opsagent.actions} by tool and outcome and
 * {@code opsagent.actions.refused} by reason.
 */
final class CycleMetrics {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final MeterRegistry registry;

  CycleMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  void record(OpsRun run) {
    Counter.builder("opsagent.cycles").tag("status", run.status().wire())
        .tag("trigger", run.trigger().wire())
        .tag("skip_reason", run.skipReason() == null ? "none" : run.skipReason().wire())
        .register(registry).increment();
    if (run.steps() > 0) {
      Counter.builder("opsagent.model.calls").register(registry).increment(run.steps());
    }
    if (run.costUsd() != null) {
      Counter.builder("opsagent.cost.usd").baseUnit("usd").register(registry).increment(run.costUsd().doubleValue());
    }
    if (run.finishedAt() != null) {
      Timer.builder("opsagent.cycle.duration").tag("status", run.status().wire()).register(registry)
          .record(Duration.between(run.startedAt(), run.finishedAt()));
    }
    Counter.builder("opsagent.tokens").tag("direction", "input").register(registry).increment(run.inputTokens());
    Counter.builder("opsagent.tokens").tag("direction", "output").register(registry).increment(run.outputTokens());
    Counter.builder("opsagent.tokens").tag("direction", "cache_read").register(registry).increment(run.cacheReadTokens());
    Counter.builder("opsagent.tokens").tag("direction", "cache_write").register(registry).increment(run.cacheWriteTokens());
    JsonNode actions;
    try {
      actions = JSON.readTree(run.actionsJson() == null ? "[]" : run.actionsJson());
    } catch (IOException e) {
      return;
    }
    for (JsonNode a : actions) {
      boolean allowed = a.path("allowed").asBoolean(false);
      Counter.builder("opsagent.actions").tag("tool", a.path("name").asText("unknown"))
          .tag("outcome", allowed ? "executed" : "refused").register(registry).increment();
      if (!allowed) {
        Counter.builder("opsagent.actions.refused").tag("reason", category(a.path("reason").asText("")))
            .register(registry).increment();
      }
    }
  }

  /** A small closed set of reasons, so the metric's cardinality stays bounded. */
  static String category(String reason) {
    String r = reason.toLowerCase(Locale.ROOT);
    for (ActionRefusal code : ActionRefusal.values()) {
      if (r.startsWith(code.code() + ":")) {
        return code == ActionRefusal.UNKNOWN_DEPLOYMENT ? "scope" : code.code();
      }
    }
    if (r.contains("budget")) {
      return "budget";
    }
    if (r.contains("cooldown") || r.contains("already sent")) {
      return "cooldown";
    }
    if (r.contains("redis") || r.contains("unavailable")) {
      return "store_unavailable";
    }
    if (r.contains("not found") || r.contains("no such") || r.contains("unknown workspace")) {
      return "scope";
    }
    if (r.contains("unknown tool")) {
      return "unknown_tool";
    }
    return "invalid";
  }
}
