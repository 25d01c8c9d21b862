package io.opsagent.worker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.opsagent.agent.run.OpsRun;
import io.opsagent.agent.tools.RefusalReason;
import java.io.IOException;
import java.time.Duration;

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
        Counter.builder("opsagent.actions.refused")
            .tag("reason", RefusalReason.classify(a.path("reason").asText("")).wire())
            .register(registry).increment();
      }
    }
  }
}
