package io.opsagent.trust;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opsagent.agent.OpsAgent;
import io.opsagent.agent.guard.CooldownStore;
import io.opsagent.agent.run.FallbackReason;
import io.opsagent.agent.run.OpsRun;
import io.opsagent.agent.run.RunStatus;
import io.opsagent.agent.tools.ActionClass;
import io.opsagent.agent.tools.OpsTools;
import io.opsagent.config.Config;
import io.opsagent.notify.ChannelType;
import io.opsagent.notify.DeliveryStatus;
import io.opsagent.notify.NotificationChannelRepository;
import io.opsagent.notify.TestReceiver;
import io.opsagent.notify.delivery.DeliveryNotifier;
import io.opsagent.notify.delivery.NotificationRepository;
import io.opsagent.platform.Deployment;
import io.opsagent.platform.DeploymentStatus;
import io.opsagent.queue.schedule.Trigger;
import io.opsagent.support.FakeMessagesApi;
import io.opsagent.support.Fixtures;
import io.opsagent.support.SettableClock;
import io.opsagent.support.TestAgents;
import io.opsagent.support.TestDatabase;
import io.opsagent.support.TestRedis;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.StreamSupport;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 12's "done when": the daily token budget, the kill switch across two workers, dry-run, the
 * loop stop and the audit fields, end to end on PostgreSQL and Redis with the real delivery queue
 * posting to a loopback receiver and a scripted Messages API that counts requests.
 */
class TrustControlsTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String RESTART = "restartDeployment";
  static TestDatabase db;
  static Jdbi jdbi;
  static Fixtures fx;

  FakeMessagesApi api;
  TestReceiver receiver;
  DeliveryNotifier notifier;
  NotificationRepository deliveries;
  TenantSettings settings;
  KillSwitch killSwitch;
  final List<OpsAgent> agents = new ArrayList<>();
  final List<CooldownStore> stores = new ArrayList<>();
  final SettableClock clock = SettableClock.startingNow();
  final AtomicInteger restarts = new AtomicInteger();

  @BeforeAll
  static void setUpDatabase() {
    db = TestDatabase.create(TrustControlsTest.class);
    jdbi = db.database().jdbi();
    fx = new Fixtures(db.database());
  }

  @AfterAll
  static void tearDown() {
    db.close();
  }

  @BeforeEach
  void start() throws IOException {
    api = FakeMessagesApi.start();
    receiver = TestReceiver.answering();
    notifier = new DeliveryNotifier(db.database(), new NotificationChannelRepository(jdbi, true, Clock.systemUTC()),
        new NotificationRepository(jdbi, Clock.systemUTC()), config(Map.of()).notifications(), config(Map.of()).paging(), config(Map.of()).scheduling(), new SimpleMeterRegistry(), Clock.systemUTC());
    notifier.start();
    deliveries = new NotificationRepository(jdbi, Clock.systemUTC());
    settings = new TenantSettings(jdbi, Mode.LIVE, Clock.systemUTC());
    killSwitch = new KillSwitch(jdbi, Clock.systemUTC());
  }

  @AfterEach
  void stop() {
    killSwitch.release();
    agents.forEach(OpsAgent::close);
    notifier.close();
    stores.forEach(CooldownStore::close);
    receiver.close();
    api.close();
  }

  Config config(Map<String, String> more) {
    Map<String, String> env = new HashMap<>();
    env.put("ANTHROPIC_API_KEY", "sk-ant-test-key");
    env.put("ANTHROPIC_BASE_URL", api.baseUrl());
    env.put("OPSAGENT_LLM_MAX_RETRIES", "0");
    env.put("OPSAGENT_REDIS_URL", TestRedis.URL);
    env.put("OPSAGENT_ALLOW_PRIVATE_WEBHOOKS", "true");
    env.put("OPSAGENT_POLL_INTERVAL", "PT0.2S");
    env.put("OPSAGENT_NOTIFY_BACKOFF", "PT0.1S");
    env.putAll(more);
    return Config.fromEnv(env);
  }

  /** A worker's agent as production wires it, plus a test-only mutating restart tool. */
  OpsAgent agent(Map<String, String> env) {
    Config config = config(env);
    CooldownStore store = CooldownStore.redis(config.cooldowns(), Duration.ofSeconds(2));
    stores.add(store);
    OpsAgent agent = TestAgents.builder(config, jdbi).notifier(notifier).cooldowns(store).clock(clock)
        .extraTools(List.of(new OpsTools.Definition(RESTART, "Restarts a deployment (test only).",
            restartSchema(), ActionClass.MUTATING, (ctx, in) -> {
              restarts.incrementAndGet();
              return "restarted";
            })))
        .build();
    agents.add(agent);
    return agent;
  }

  OpsAgent agent() {
    return agent(Map.of());
  }

  static ObjectNode restartSchema() {
    ObjectNode s = JSON.createObjectNode().put("type", "object");
    s.putObject("properties").putObject("deploymentId").put("type", "string").put("minLength", 1);
    s.putArray("required").add("deploymentId");
    s.put("additionalProperties", false);
    return s;
  }

  Fixtures.TenantFixture tenant(String name) {
    var t = fx.tenant(name).workspace("web");
    new NotificationChannelRepository(jdbi, true, Clock.systemUTC()).create(t.id(), null, ChannelType.WEBHOOK, "hook",
        JSON.createObjectNode().put("url", receiver.url("/" + t.id())));
    return t;
  }

  List<String> titlesDeliveredTo(String tenantId, int expected) {
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
      assertThat(deliveries.listByTenant(tenantId, 500)).hasSize(expected)
          .allMatch(d -> d.status() == DeliveryStatus.DELIVERED);
    });
    return receiver.requests().stream().filter(r -> r.path().equals("/" + tenantId))
        .map(r -> read(new String(r.body(), StandardCharsets.UTF_8)).get("severity").asText() + ":"
            + read(new String(r.body(), StandardCharsets.UTF_8)).get("title").asText())
        .toList();
  }

  static String alert(String workspaceId, String title) {
    return JSON.createObjectNode().put("workspaceId", workspaceId).put("severity", "warning")
        .put("title", title).put("body", "details").toString();
  }

  static List<JsonNode> actions(OpsRun run) {
    return StreamSupport.stream(read(run.actionsJson()).spliterator(), false).toList();
  }

  static JsonNode read(String json) {
    try {
      return JSON.readTree(json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void aSpentBudgetMeansNoModelRequestTheRulesEngineDecidesAndOneWarningThatDay() {
    var t = tenant("spender").withFailedDeployment();
    settings.update(t.id(), null, true, 1000L);
    api.then(api.text("All reviewed.", 800, 300));
    OpsAgent agent = agent();

    OpsRun first = agent.runOpsCycle(t.id(), Trigger.MANUAL);
    OpsRun second = agent.runOpsCycle(t.id(), Trigger.MANUAL);
    OpsRun third = agent.runOpsCycle(t.id(), Trigger.MANUAL);

    assertThat(first.model()).isNotEqualTo("rules");
    assertThat(api.requests()).hasSize(1);
    assertThat(List.of(second, third)).allSatisfy(r -> {
      assertThat(r.status()).isEqualTo(RunStatus.COMPLETED);
      assertThat(r.model()).isEqualTo("rules");
      assertThat(r.fallbackReason()).isEqualTo(FallbackReason.BUDGET_EXHAUSTED);
    });
    assertThat(titlesDeliveredTo(t.id(), 2)).containsExactlyInAnyOrder(
        "critical:Deployment failing-app is FAILED", "warning:" + OpsAgent.BUDGET_TITLE);
  }

  @Test
  void theBudgetResetsAtMidnightUtc() {
    var t = tenant("tomorrow");
    settings.update(t.id(), null, true, 1000L);
    api.otherwise(api.text("All clear.", 900, 200));
    OpsAgent agent = agent();
    agent.runOpsCycle(t.id(), Trigger.MANUAL);
    assertThat(agent.runOpsCycle(t.id(), Trigger.MANUAL).fallbackReason())
        .isEqualTo(FallbackReason.BUDGET_EXHAUSTED);

    clock.advance(Duration.ofDays(1));
    OpsRun nextDay = agent.runOpsCycle(t.id(), Trigger.MANUAL);

    assertThat(nextDay.fallbackReason()).isNull();
    assertThat(api.requests()).hasSize(2);
  }

  @Test
  void aBudgetOfZeroNeverCallsTheModel() {
    var t = tenant("frugal");
    settings.update(t.id(), null, true, 0L);
    OpsRun run = agent().runOpsCycle(t.id(), Trigger.MANUAL);
    assertThat(run.fallbackReason()).isEqualTo(FallbackReason.BUDGET_EXHAUSTED);
    assertThat(api.requests()).isEmpty();
  }

  @Test
  void aCycleThatSpendsTheBudgetMidwayMakesNoFurtherModelCallAndSaysSo() {
    var t = tenant("midway");
    settings.update(t.id(), null, true, 1000L);
    api.then(api.toolUse(900, 200, OpsTools.RECORD_ACTION,
        "{\"action\":\"look\",\"reasoning\":\"r\",\"result\":\"ok\"}"));
    api.otherwise(api.text("never asked", 1, 1));

    OpsRun run = agent().runOpsCycle(t.id(), Trigger.MANUAL);

    assertThat(api.requests()).hasSize(1);
    assertThat(run.status()).isEqualTo(RunStatus.COMPLETED);
    assertThat(actions(run)).hasSize(1);
    assertThat(run.summary()).contains("daily token budget was spent mid-cycle");
  }

  @Test
  void theKillSwitchStopsEveryModelRequestFromTwoWorkersWhileCriticalAlertsStillGoOut() {
    var t = tenant("killed").withFailedDeployment();
    api.otherwise(api.text("All clear.", 10, 10));
    OpsAgent workerA = agent();
    OpsAgent workerB = agent();
    killSwitch.engage("incident review");

    List<OpsRun> runs = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      runs.add(workerA.runOpsCycle(t.id(), Trigger.MANUAL));
      runs.add(workerB.runOpsCycle(t.id(), Trigger.EVENT));
    }

    assertThat(api.requests()).isEmpty();
    assertThat(runs).allSatisfy(r -> {
      assertThat(r.model()).isEqualTo("rules");
      assertThat(r.fallbackReason()).isEqualTo(FallbackReason.KILL_SWITCH);
    });
    assertThat(titlesDeliveredTo(t.id(), 1)).containsExactly("critical:Deployment failing-app is FAILED");

    killSwitch.release();
    OpsRun after = workerB.runOpsCycle(t.id(), Trigger.MANUAL);
    assertThat(api.requests()).hasSize(1);
    assertThat(after.fallbackReason()).isNull();
  }

  @Test
  void aDryRunTenantGetsEverythingRecordedAndNothingDeliveredThenItsFirstLiveAlertGoesOutAtOnce() {
    var t = tenant("rehearsal");
    String ws = t.lastWorkspace().id();
    Deployment d = t.deploy("api", DeploymentStatus.DEGRADED, "1.0.0");
    settings.update(t.id(), Mode.DRY_RUN, false, null);
    String restart = JSON.createObjectNode().put("deploymentId", d.id()).toString();
    api.then(api.toolUse(100, 10, OpsTools.SEND_ALERT, alert(ws, "api degraded"), RESTART, restart))
        .then(api.text("Alerted and restarted.", 100, 10));
    OpsAgent agent = agent();

    OpsRun run = agent.runOpsCycle(t.id(), Trigger.MANUAL);

    assertThat(run.dryRun()).isTrue();
    assertThat(actions(run)).hasSize(2).allSatisfy(a -> {
      assertThat(a.get("allowed").asBoolean()).isTrue();
      assertThat(a.get("dryRun").asBoolean()).isTrue();
      assertThat(a.get("result").asText()).startsWith("dry-run:");
    });
    assertThat(deliveries.listByTenant(t.id(), 10)).isEmpty();
    assertThat(restarts).hasValue(0);

    settings.update(t.id(), Mode.LIVE, false, null);
    api.then(api.toolUse(100, 10, OpsTools.SEND_ALERT, alert(ws, "api degraded"), RESTART, restart))
        .then(api.text("Alerted and restarted.", 100, 10));
    OpsRun live = agent.runOpsCycle(t.id(), Trigger.MANUAL);

    assertThat(live.dryRun()).isFalse();
    assertThat(actions(live)).allSatisfy(a -> assertThat(a.get("allowed").asBoolean()).isTrue());
    assertThat(restarts).hasValue(1);
    assertThat(titlesDeliveredTo(t.id(), 1)).containsExactly("warning:api degraded");
  }

  @Test
  void aRepeatedCallIsRefusedAndAtTheStepLimitOneLastToolFreeRequestStillGetsTheSummary() {
    var t = tenant("looper");
    String same = "{\"action\":\"check\",\"reasoning\":\"again\",\"result\":\"same\"}";
    api.then(api.toolUse(100, 10, OpsTools.RECORD_ACTION, same))
        .then(api.toolUse(100, 10, OpsTools.RECORD_ACTION, same))
        .then(api.toolUse(100, 10, OpsTools.RECORD_ACTION, same))
        .then(api.text("Summary: nothing is wrong; I kept checking.", 100, 10));

    OpsRun run = agent(Map.of("OPSAGENT_MAX_STEPS", "3")).runOpsCycle(t.id(), Trigger.MANUAL);

    List<JsonNode> calls = actions(run);
    assertThat(calls).hasSize(3);
    assertThat(calls.get(0).get("allowed").asBoolean()).isTrue();
    assertThat(calls.subList(1, 3)).allSatisfy(a -> {
      assertThat(a.get("allowed").asBoolean()).isFalse();
      assertThat(a.get("reason").asText()).startsWith("repeated call");
    });
    assertThat(api.request(1).get("messages").get(2).get("content").get(0).get("is_error").asBoolean())
        .isFalse();
    assertThat(api.request(2).get("messages").get(4).get("content").get(0).get("is_error").asBoolean())
        .isTrue();
    assertThat(api.requests()).hasSize(4);
    JsonNode last = api.request(3);
    assertThat(last.get("tool_choice").get("type").asText()).isEqualTo("none");
    assertThat(last.get("tools")).isNotEmpty();
    assertThat(api.request(2).has("tool_choice")).isFalse();
    assertThat(run.summary()).contains("step limit of 3").contains("Summary: nothing is wrong");
    assertThat(run.reasoning()).contains("Let me look into this.").contains("Summary: nothing is wrong");
  }

  @Test
  void runsRecordThePromptHashTheRequestIdsAndAVerifiableChain() {
    var t = tenant("audited");
    api.otherwise(api.text("All clear.", 10, 10));
    OpsAgent agent = agent();
    List<OpsRun> runs = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      runs.add(agent.runOpsCycle(t.id(), Trigger.MANUAL));
    }
    var repo = new io.opsagent.agent.run.RunRepository(jdbi, Clock.systemUTC());

    assertThat(runs).allSatisfy(r -> {
      OpsRun stored = repo.find(t.id(), r.id()).orElseThrow();
      assertThat(stored.requestIds()).hasSize(1).allMatch(id -> id.startsWith("req_"));
      assertThat(stored.promptSha256()).matches("[0-9a-f]{64}").isEqualTo(runs.get(0).promptSha256());
      assertThat(stored.chainHash()).matches("[0-9a-f]{64}");
    });
    assertThat(repo.verifyChain(t.id()).intact()).isTrue();
    assertThat(repo.verifyChain(t.id()).chained()).isEqualTo(3);

    jdbi.useHandle(h -> h.createUpdate("UPDATE ops_agent_runs SET summary = 'nothing happened' WHERE id = :id")
        .bind("id", runs.get(1).id()).execute());

    assertThat(repo.verifyChain(t.id()).firstAlteredRunId()).isEqualTo(runs.get(1).id());
  }

  static final Map<String, String> PLANTED = Map.of(
      "anthropic_key", "sk-ant-api03-AbCdEfGhIjKlMnOpQrStUv",
      "openai_key", "sk-proj-ZYXWVUTSRQPONMLKJIHG123",
      "aws_key", "AKIAIOSFODNN7EXAMPLE",
      "github_token", "ghp_1234567890abcdefghijklmnopqrstuv",
      "slack_token", "xoxb-123456789012-abcdefghijkl",
      "jwt", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N",
      "bearer_token", "Bearer q9w8e7r6t5y4u3i2o1p0",
      "url_credentials", "postgres://admin:hunter2hunter@db.internal:5432/app",
      "email", "oncall.person@example.com");

  @Test
  void everyPlantedSecretIsRedactedFromEveryRequestSentToTheModel() {
    var t = fx.tenant("leaky " + PLANTED.get("email")).workspace("ws " + PLANTED.get("aws_key"));
    Deployment d = t.deploy("api-" + PLANTED.get("github_token"), DeploymentStatus.FAILED, "1.0.0");
    StringBuilder message = new StringBuilder("crash dump:");
    PLANTED.values().forEach(v -> message.append(' ').append(v).append(';'));
    message.append(" password=s3cretPassw0rd {\"password\": \"jsonPassw0rd\"}");
    new io.opsagent.platform.DeploymentRepository(jdbi, Clock.systemUTC()).recordEvent(d, "crash " + PLANTED.get("slack_token"),
        DeploymentStatus.FAILED, message.toString());
    new io.opsagent.platform.DeploymentRepository(jdbi, Clock.systemUTC()).recordEvent(d, "key",
        null, "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA7bq\n-----END RSA PRIVATE KEY-----");
    api.then(api.toolUse(100, 10, OpsTools.GET_INFRASTRUCTURE_OVERVIEW, "{}"))
        .then(api.text("Done.", 100, 10));

    agent().runOpsCycle(t.id(), Trigger.MANUAL);

    assertThat(api.requests()).hasSize(2).allSatisfy(body -> {
      PLANTED.values().forEach(secret -> assertThat(body).doesNotContain(secret));
      assertThat(body).doesNotContain("hunter2hunter", "s3cretPassw0rd", "jsonPassw0rd", "MIIEpAIBAAKCAQEA7bq")
          .contains("[REDACTED:aws_key]", "[REDACTED:github_token]", "[REDACTED:private_key]",
              "[REDACTED:password]", "[REDACTED:email]");
    });
  }
}
