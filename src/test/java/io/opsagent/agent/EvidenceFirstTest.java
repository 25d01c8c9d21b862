package io.opsagent.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.opsagent.agent.guard.CooldownStore;
import io.opsagent.agent.run.OpsRun;
import io.opsagent.agent.run.RunStatus;
import io.opsagent.agent.tools.investigate.Investigation;
import io.opsagent.config.Config;
import io.opsagent.db.Ids;
import io.opsagent.incident.Incidents;
import io.opsagent.notify.TestReceiver;
import io.opsagent.platform.Deployment;
import io.opsagent.platform.DeploymentStatus;
import io.opsagent.queue.schedule.Trigger;
import io.opsagent.support.FakeEndpoint;
import io.opsagent.support.FakeMessagesApi;
import io.opsagent.support.Fixtures;
import io.opsagent.support.TestDatabase;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Evidence first: a FAILED deployment's logs and health probe reach the first model request, the rules engine and code's page. */
class EvidenceFirstTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String LOGS = """
      2026-12-06T20:01:00Z INFO starting api 2.1.0
      2026-12-06T20:01:02Z INFO connecting with DATABASE_URL=postgres://api:hunter2-planted@db:5432/api
      2026-12-06T20:01:09Z ERROR OOMKilled: container exceeded its 512Mi memory limit
      """;
  static TestDatabase db;
  static Fixtures fx;

  FakeMessagesApi api;
  RealNotifier notify;
  TestReceiver receiver;
  FakeEndpoint platform;
  List<FakeEndpoint> healthEndpoints = new ArrayList<>();
  Investigation investigation;
  Incidents incidents;

  @BeforeAll
  static void setUpDatabase() {
    db = TestDatabase.create(EvidenceFirstTest.class);
    fx = new Fixtures(db.database());
  }

  @AfterAll
  static void dropDatabase() {
    db.close();
  }

  @BeforeEach
  void start() throws Exception {
    api = FakeMessagesApi.start();
    notify = new RealNotifier(db.database());
    receiver = TestReceiver.answering();
    platform = FakeEndpoint.start().answer(200, "text/plain", LOGS);
  }

  @AfterEach
  void stop() {
    if (investigation != null) {
      investigation.close();
    }
    api.close();
    notify.close();
    receiver.close();
    platform.close();
    healthEndpoints.forEach(FakeEndpoint::close);
  }

  Map<String, String> env(boolean model) {
    Map<String, String> env = new HashMap<>(Map.of("OPSAGENT_ALLOW_PRIVATE_HEALTH_URLS", "true",
        "OPSAGENT_PLATFORM_LOGS_URL", platform.url("/logs/{deploymentId}"),
        "OPSAGENT_PLATFORM_LOGS_SECRET", "logs-secret"));
    if (model) {
      env.putAll(Map.of("ANTHROPIC_API_KEY", "sk-ant-test-" + Ids.newId(), "ANTHROPIC_BASE_URL", api.baseUrl(),
          "OPSAGENT_LLM_MAX_RETRIES", "0"));
    }
    return env;
  }

  OpsAgent agent(Config config) {
    investigation = Investigation.create(config.investigation(), db.database().jdbi(), fx.deployments,
        Clock.systemUTC());
    incidents = io.opsagent.support.TestAgents.incidents(config, db.database().jdbi(), notify.notifier,
        Clock.systemUTC()).evidenceFrom(investigation.pageEvidence());
    return io.opsagent.support.TestAgents.builder(config, db.database().jdbi()).notifier(notify.notifier)
        .cooldowns(CooldownStore.inMemory(config.cooldowns(), Clock.systemUTC())).incidents(incidents)
        .extraTools(investigation.tools()).evidence(investigation.evidence()).build();
  }

  Deployment failingWithHealth(Fixtures.TenantFixture t, String name, int status, String body) {
    FakeEndpoint health = FakeEndpoint.start().answer(status, "application/json", body);
    healthEndpoints.add(health);
    Deployment d = t.deploy(name, DeploymentStatus.FAILED, "2.1.0");
    db.database().jdbi().useHandle(h -> h.execute("UPDATE deployments SET health_url = ? WHERE id = ?",
        health.url("/healthz"), d.id()));
    return fx.deployments.find(t.id(), d.id()).orElseThrow();
  }

  static String firstUserText(JsonNode request) {
    JsonNode content = request.get("messages").get(0).get("content");
    return content.isTextual() ? content.asText() : content.get(0).get("text").asText();
  }

  @Test
  void aFailedDeploymentsFirstModelRequestCarriesItsLastLogLinesAndItsHealthProbeRedacted() {
    var t = fx.tenant("evidence").workspace("prod");
    Deployment d = failingWithHealth(t, "api", 503, "{\"status\": \"db unreachable\"}");
    api.then(api.text("api is down: OOMKilled at 20:01:09.", 2000, 40));

    OpsRun run;
    try (OpsAgent loop = agent(Config.fromEnv(env(true)))) {
      run = loop.runOpsCycle(t.id(), Trigger.MANUAL);
    }

    assertThat(run.status()).isEqualTo(RunStatus.COMPLETED);
    assertThat(run.steps()).isEqualTo(1);
    String first = firstUserText(api.request(0));
    String evidence = first.substring(first.indexOf("<evidence>"), first.indexOf("</evidence>"));
    assertThat(evidence).contains(d.id()).contains("OOMKilled: container exceeded its 512Mi memory limit")
        .contains("\"status\":503").contains("db unreachable");
    assertThat(api.requests().get(0)).doesNotContain("hunter2-planted");
    assertThat(first.indexOf("</state>")).isLessThan(first.indexOf("<evidence>"));
    List<String> tools = new ArrayList<>();
    api.request(0).get("tools").forEach(tool -> tools.add(tool.get("name").asText()));
    assertThat(tools).contains("probeHealth", "getDeploymentLogs").doesNotContain("queryMetrics");
    assertThat(platform.requests()).singleElement().satisfies(r -> assertThat(r.param("lines")).isEqualTo("20"));
  }

  @Test
  void aTenantWithNothingFailedGetsNoEvidenceAndNothingIsAsked() {
    var t = fx.tenant("healthy").workspace("prod").deployment("api", DeploymentStatus.RUNNING);
    api.then(api.text("All clear.", 100, 10));

    try (OpsAgent loop = agent(Config.fromEnv(env(true)))) {
      loop.runOpsCycle(t.id(), Trigger.MANUAL);
    }

    assertThat(firstUserText(api.request(0))).doesNotContain("<evidence>");
    assertThat(platform.requests()).isEmpty();
  }

  @Test
  void theRulesEngineTellsADeploymentThatIsDownFromOneThatIsFlappingByItsHealthProbe() throws Exception {
    var t = fx.tenant("rules").workspace("prod");
    Deployment down = failingWithHealth(t, "down-app", 503, "{}");
    Deployment flapping = failingWithHealth(t, "flappy-app", 200, "{\"status\": \"ok\"}");
    notify.webhook(t.id(), t.lastWorkspace().id(), "hook", receiver.url("/prod"), null);

    try (OpsAgent loop = agent(Config.fromEnv(env(false)))) {
      loop.runOpsCycle(t.id(), Trigger.MANUAL);
    }

    notify.settled(t.id());
    Map<String, String> bodies = new HashMap<>();
    Awaitility.await().until(() -> receiver.requests().size() >= 2);
    receiver.requests().forEach(r -> bodies.put(r.payload().get("deploymentId").asText(), r.payload().get("body").asText()));
    assertThat(bodies.get(down.id())).contains("health endpoint answers HTTP 503: it is down")
        .contains("Last log line: \"2026-12-06T20:01:09Z ERROR OOMKilled");
    assertThat(bodies.get(flapping.id())).contains("flapping or recovering rather than down");
    assertThat(String.join(" ", bodies.values())).doesNotContain("hunter2-planted");
  }

  @Test
  void aCodePageCarriesTheEvidenceAlreadyAtHandWithoutAskingTheNetwork() throws Exception {
    var t = fx.tenant("page").workspace("prod");
    Deployment d = failingWithHealth(t, "api", 503, "{}");
    notify.webhook(t.id(), t.lastWorkspace().id(), "hook", receiver.url("/prod"), null);
    api.then(api.text("Looked; nothing to add yet.", 100, 10));
    try (OpsAgent loop = agent(Config.fromEnv(env(true)))) {
      loop.runOpsCycle(t.id(), Trigger.MANUAL); // gathers the evidence
    }
    int asked = platform.requests().size() + healthEndpoints.get(0).requests().size();

    var outcome = incidents.page(d, DeploymentStatus.FAILED, null);

    assertThat(outcome.paged()).isTrue();
    assertThat(platform.requests().size() + healthEndpoints.get(0).requests().size()).isEqualTo(asked);
    Awaitility.await().until(() -> !receiver.requests().isEmpty());
    String body = receiver.requests().get(0).payload().get("body").asText();
    assertThat(body).startsWith(Deployment.statusAlertBody("api", d.id(), "prod", DeploymentStatus.FAILED))
        .contains("Seen by opsagent: health endpoint HTTP 503 in ")
        .contains("last log line (just now): \"2026-12-06T20:01:09Z ERROR OOMKilled")
        .doesNotContain("hunter2-planted");
  }
}
