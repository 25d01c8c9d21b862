package io.opsagent.worker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.opsagent.Json;
import io.opsagent.agent.run.OpsRun;
import io.opsagent.agent.run.RunStatus;
import io.opsagent.agent.run.SkipReason;
import io.opsagent.agent.tools.RefusalReason;
import io.opsagent.queue.schedule.Trigger;
import java.io.IOException;
import java.time.Duration;
import java.util.List;

/**
 * Turns each finished run into metrics: {@code opsagent.cycles} by status, trigger and skip reason,
 * the {@code opsagent.cycle.duration} histogram by status and trigger, {@code opsagent.cost.usd},
 * {@code opsagent.tokens} by direction (input, output, cache_read, cache_write),
 * {@code opsagent.actions} by tool and outcome and {@code opsagent.actions.refused} by reason.
 *
 * <p>Every series whose label values are known in advance is registered at zero on construction,
 * so that {@code rate()} and alert rules see it before the first cycle (Prometheus cannot tell a
 * series that never moved from one that does not exist).
 */
final class CycleMetrics {
  /** The histogram's bucket bounds: a skipped cycle takes milliseconds, a model review seconds. */
  static final Duration[] CYCLE_BUCKETS = seconds(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300);
  private static final List<RunStatus> FINISHED = List.of(RunStatus.COMPLETED, RunStatus.FAILED, RunStatus.SKIPPED);
  private static final List<String> DIRECTIONS = List.of("input", "output", "cache_read", "cache_write");
  private static final ObjectMapper JSON = Json.MAPPER;
  private final MeterRegistry registry;

  CycleMetrics(MeterRegistry registry, List<String> toolNames) {
    this.registry = registry;
    for (Trigger trigger : Trigger.values()) {
      for (RunStatus status : FINISHED) {
        duration(status.wire(), trigger.wire());
        if (status == RunStatus.SKIPPED) {
          for (SkipReason reason : SkipReason.values()) {
            cycles(status.wire(), trigger.wire(), reason.wire());
          }
        } else {
          cycles(status.wire(), trigger.wire(), "none");
        }
      }
    }
    cost();
    DIRECTIONS.forEach(this::tokens);
    for (String tool : toolNames) {
      actions(tool, "executed");
      actions(tool, "refused");
    }
    for (RefusalReason reason : RefusalReason.values()) {
      refused(reason.wire());
    }
  }

  void record(OpsRun run) {
    cycles(run.status().wire(), run.trigger().wire(),
        run.skipReason() == null ? "none" : run.skipReason().wire()).increment();
    if (run.costUsd() != null) {
      cost().increment(run.costUsd().doubleValue());
    }
    if (run.finishedAt() != null) {
      duration(run.status().wire(), run.trigger().wire())
          .record(Duration.between(run.startedAt(), run.finishedAt()));
    }
    tokens("input").increment(run.inputTokens());
    tokens("output").increment(run.outputTokens());
    tokens("cache_read").increment(run.cacheReadTokens());
    tokens("cache_write").increment(run.cacheWriteTokens());
    JsonNode actions;
    try {
      actions = JSON.readTree(run.actionsJson() == null ? "[]" : run.actionsJson());
    } catch (IOException e) {
      return;
    }
    for (JsonNode a : actions) {
      boolean allowed = a.path("allowed").asBoolean(false);
      actions(a.path("name").asText("unknown"), allowed ? "executed" : "refused").increment();
      if (!allowed) {
        refused(RefusalReason.fromWire(a.path("refusal").asText(null)).wire()).increment();
      }
    }
  }

  private Counter cycles(String status, String trigger, String skipReason) {
    return Counter.builder("opsagent.cycles")
        .description("finished ops cycles by status, trigger and skip reason")
        .tag("status", status).tag("trigger", trigger).tag("skip_reason", skipReason)
        .register(registry);
  }

  private Timer duration(String status, String trigger) {
    return Timer.builder("opsagent.cycle.duration")
        .description("wall time of an ops cycle, from its start to its finish")
        .tag("status", status).tag("trigger", trigger)
        .serviceLevelObjectives(CYCLE_BUCKETS)
        .register(registry);
  }

  private Counter cost() {
    return Counter.builder("opsagent.cost.usd").baseUnit("usd")
        .description("model cost of the cycles, from OPSAGENT_MODEL_PRICES")
        .register(registry);
  }

  private Counter tokens(String direction) {
    return Counter.builder("opsagent.tokens")
        .description("model tokens by direction: input, output, cache_read, cache_write")
        .tag("direction", direction).register(registry);
  }

  private Counter actions(String tool, String outcome) {
    return Counter.builder("opsagent.actions")
        .description("tool calls of the agent by tool and outcome (executed or refused)")
        .tag("tool", tool).tag("outcome", outcome).register(registry);
  }

  private Counter refused(String reason) {
    return Counter.builder("opsagent.actions.refused")
        .description("tool calls refused by a guardrail, by reason")
        .tag("reason", reason).register(registry);
  }

  static Duration[] seconds(double... bounds) {
    Duration[] out = new Duration[bounds.length];
    for (int i = 0; i < bounds.length; i++) {
      out[i] = Duration.ofNanos(Math.round(bounds[i] * 1e9));
    }
    return out;
  }
}
