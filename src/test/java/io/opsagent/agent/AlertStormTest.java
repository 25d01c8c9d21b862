package io.opsagent.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.opsagent.agent.guard.CooldownStore;
import io.opsagent.agent.run.OpsRun;
import io.opsagent.config.Config;
import io.opsagent.notify.Delivery;
import io.opsagent.notify.TestReceiver;
import io.opsagent.queue.schedule.Trigger;
import io.opsagent.support.FakeMessagesApi;
import io.opsagent.support.Fixtures;
import io.opsagent.support.TestAgents;
import io.opsagent.support.TestDatabase;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A flooding model is bounded across cycles: with {@code OPSAGENT_MAX_ALERTS_PER_TENANT_HOUR=3}, a
 * model that sends 4 distinct alerts every cycle gets 3 through in the hour, the rest refused as
 * {@code alert_storm}, and people get one "alert storm" notice listing what is still failing — not
 * one per cycle.
 */
class AlertStormTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  static TestDatabase db;
  static FakeMessagesApi model;

  @BeforeAll
  static void setUp() {
    db = TestDatabase.create(AlertStormTest.class);
    model = FakeMessagesApi.start();
  }

  @AfterAll
  static void tearDown() {
    model.close();
    db.close();
  }

  private static String alerts(String workspaceId, int cycle) {
    List<String> calls = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      calls.add("sendAlert");
      calls.add(JSON.createObjectNode().put("workspaceId", workspaceId).put("severity", "warning")
          .put("title", "finding " + cycle + "." + i).put("body", "something else looks odd").toString());
    }
    return String.join("\u0000", calls);
  }

  @Test
  void aModelSendingManyDistinctAlertsEveryCycleIsCappedPerTenantHourWithOneStormNotice() throws Exception {
    var t = new Fixtures(db.database()).tenant("noisy").workspace("prod").withFailedDeployment();
    String ws = t.lastWorkspace().id();
    try (RealNotifier notify = new RealNotifier(db.database()); TestReceiver receiver = TestReceiver.answering()) {
      notify.webhook(t.id(), ws, "hook", receiver.url("/hook"), null);
      Config config = Config.fromEnv(Map.of("ANTHROPIC_API_KEY", "sk-test", "ANTHROPIC_BASE_URL", model.baseUrl(),
          "OPSAGENT_LLM_MAX_RETRIES", "0", "OPSAGENT_MAX_ALERTS_PER_TENANT_HOUR", "3"));
      OpsAgent loop = TestAgents.builder(config, db.database().jdbi()).notifier(notify.notifier)
          .cooldowns(CooldownStore.inMemory(config.cooldowns(), Clock.systemUTC())).build();
      for (int cycle = 0; cycle < 2; cycle++) {
        model.then(model.toolUse(500, 50, alerts(ws, cycle).split("\u0000")))
            .then(model.text("Reported what I saw.", 500, 20));
      }

      OpsRun first = loop.runOpsCycle(t.id(), Trigger.MANUAL);
      OpsRun second = loop.runOpsCycle(t.id(), Trigger.MANUAL);

      assertThat(calls(first)).extracting(c -> c.get("allowed").asBoolean())
          .containsExactly(true, true, true, false);
      assertThat(calls(first).get(3).get("refusal").asText()).isEqualTo("alert_storm");
      assertThat(calls(second)).as("the cap holds across cycles").allSatisfy(c -> {
        assertThat(c.get("allowed").asBoolean()).isFalse();
        assertThat(c.get("reason").asText()).startsWith("alert_storm:");
      });
      List<Delivery> sent = notify.settled(t.id());
      assertThat(sent).filteredOn(d -> d.title().startsWith("finding ")).hasSize(3);
      assertThat(sent).filteredOn(d -> d.title().startsWith("Alert storm")).singleElement().satisfies(d -> {
        assertThat(d.by()).isEqualTo("code");
        assertThat(d.body()).contains("Still failing").contains("failing-app: FAILED");
      });
    }
  }

  private static List<JsonNode> calls(OpsRun run) throws Exception {
    return StreamSupport.stream(JSON.readTree(run.actionsJson()).spliterator(), false)
        .filter(c -> c.get("name").asText().equals("sendAlert")).toList();
  }
}
