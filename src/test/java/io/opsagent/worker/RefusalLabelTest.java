package io.opsagent.worker;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opsagent.agent.cycle.TenantState;
import io.opsagent.agent.cycle.ToolSession;
import io.opsagent.agent.guard.ActionGate;
import io.opsagent.agent.llm.Block;
import io.opsagent.agent.run.OpsRun;
import io.opsagent.agent.run.RunStatus;
import io.opsagent.agent.tools.ActionClass;
import io.opsagent.agent.tools.OpsTools;
import io.opsagent.agent.tools.Refusal;
import io.opsagent.agent.tools.RefusalReason;
import io.opsagent.queue.schedule.Trigger;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A refusal is recorded and counted under the kind its guardrail decided, whatever its words say:
 * the label of the run's {@code refusal} and of {@code opsagent_actions_refused_total} does not move
 * when a message is reworded.
 */
class RefusalLabelTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String TOOL = "restartDeployment";

  @Test
  void aRewordedRefusalKeepsItsLabelInTheRunAndInTheMetric() throws Exception {
    // worded like a store outage, a duplicate alert and a scope miss; decided as a cooldown
    String words = "Redis unavailable (fail closed): an alert was already sent, deployment not found";
    ActionGate.Check cooldown = call -> Refusal.of(RefusalReason.COOLDOWN, words);
    OpsTools tools = new OpsTools(List.of(new OpsTools.Definition(TOOL, "restarts",
        JSON.createObjectNode().put("type", "object"), ActionClass.MUTATING, (ctx, in) -> "restarted")));
    Instant now = Instant.now();
    TenantState state = new TenantState("tenant", now, now, List.of(), List.of(), List.of(), false, List.of());
    ToolSession session = new ToolSession(tools, new ActionGate(5, cooldown).openCycle(), state, "run", "{}");

    Block.ToolResult result = session.call(new Block.ToolUse("call-1", TOOL, JSON.createObjectNode()));

    assertThat(result.isError()).isTrue();
    assertThat(result.content()).isEqualTo("refused: " + words);
    JsonNode recorded = JSON.readTree(session.actionsJson()).get(0);
    assertThat(recorded.get("reason").asText()).isEqualTo(words);
    assertThat(recorded.get("refusal").asText()).isEqualTo("cooldown");

    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    new CycleMetrics(registry, List.of(TOOL)).record(run(session.actionsJson(), now));
    assertThat(refused(registry, "cooldown")).isEqualTo(1.0);
    assertThat(refused(registry, "store_unavailable")).isZero();
    assertThat(refused(registry, "duplicate_alert")).isZero();
    assertThat(refused(registry, "scope")).isZero();
  }

  private static double refused(SimpleMeterRegistry registry, String reason) {
    return registry.get("opsagent.actions.refused").tag("reason", reason).counter().count();
  }

  private static OpsRun run(String actionsJson, Instant at) {
    return new OpsRun("run", "tenant", RunStatus.COMPLETED, Trigger.MANUAL, at, at, "done", actionsJson,
        0, 0, 1, "rules", null, null, null, 0, 0, null, false, null, null, List.of(), null);
  }
}
