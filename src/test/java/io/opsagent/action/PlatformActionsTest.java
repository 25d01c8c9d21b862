package io.opsagent.action;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.opsagent.agent.run.OpsRun;
import io.opsagent.api.ApiClient;
import io.opsagent.config.Config;
import io.opsagent.config.ConfigException;
import io.opsagent.notify.Delivery;
import io.opsagent.notify.TestReceiver;
import io.opsagent.notify.delivery.NotificationRepository;
import io.opsagent.platform.Deployment;
import io.opsagent.platform.DeploymentStatus;
import io.opsagent.queue.Queues;
import io.opsagent.queue.schedule.Trigger;
import io.opsagent.support.FakeMessagesApi;
import io.opsagent.support.Fixtures;
import io.opsagent.support.TestDatabase;
import io.opsagent.support.TestRedis;
import io.opsagent.worker.Root;
import io.opsagent.worker.Worker;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 15 end to end: the real worker on PostgreSQL and Redis, a scripted Messages API as the model,
 * a loopback platform control endpoint and a loopback webhook receiver for alerts. Every test works
 * on tenants of its own; cycles are run directly (the tenants' schedules are switched off, so no
 * other cycle interleaves), events go through the HTTP API as the platform would post them.
 */
class PlatformActionsTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String SECRET = "control-secret-for-tests";
  static TestDatabase db;
  static FakeMessagesApi model;
  static FakePlatform platform;
  static TestReceiver alerts;
  static Fixtures fx;
  static Worker worker;
  static ApiClient api;
  static Map<String, String> env;

  @BeforeAll
  static void startWorker() throws IOException {
    db = TestDatabase.create(PlatformActionsTest.class);
    model = FakeMessagesApi.start();
    platform = new FakePlatform();
    alerts = TestReceiver.answering();
    fx = new Fixtures(db.database());
    env = baseEnv(db, model);
    env.put("OPSAGENT_PLATFORM_CONTROL_URL", platform.url());
    env.put("OPSAGENT_PLATFORM_CONTROL_SECRET", SECRET);
    worker = Worker.start(Config.fromEnv(env));
    api = new ApiClient(worker.httpPort(), env.get("OPSAGENT_API_TOKEN"));
  }

  static Map<String, String> baseEnv(TestDatabase db, FakeMessagesApi model) {
    Map<String, String> env = new HashMap<>();
    env.put("OPSAGENT_DB_URL", db.url());
    env.put("OPSAGENT_DB_USER", TestDatabase.USER);
    env.put("OPSAGENT_DB_PASSWORD", TestDatabase.PASSWORD);
    env.put("OPSAGENT_REDIS_URL", TestRedis.URL);
    env.put("ANTHROPIC_API_KEY", "sk-test-not-a-real-key");
    env.put("ANTHROPIC_BASE_URL", model.baseUrl());
    env.put("OPSAGENT_LLM_MAX_RETRIES", "0");
    env.put("OPSAGENT_HTTP_PORT", Integer.toString(freePort()));
    env.put("OPSAGENT_API_TOKEN", "token-for-tests");
    env.put("OPSAGENT_CYCLE_INTERVAL", "PT1H");
    env.put("OPSAGENT_POLL_INTERVAL", "PT0.2S");
    env.put("OPSAGENT_ALLOW_PRIVATE_WEBHOOKS", "true");
    env.put("OPSAGENT_NOTIFY_BACKOFF", "PT0.2S");
    env.put("OPSAGENT_ACTION_RETRY_BACKOFF", "PT0.2S");
    return env;
  }

  @AfterAll
  static void stopWorker() {
    if (worker != null) {
      worker.close();
    }
    alerts.close();
    platform.close();
    model.close();
    db.close();
  }

  @BeforeEach
  void resetModel() {
    model.reset();
    model.otherwise(model.text("Nothing more to do.", 10, 5));
    platform.answer();
  }

  @Test
  void anAdmittedRestartIsOneSignedRequestRetriedUnderOneIdThenHelpedByRunning() throws Exception {
    var t = tenant("acme");
    Deployment web = fx.deployments.create(t.lastWorkspace(), "web", DeploymentStatus.FAILED, "1.0.0");
    platform.answer(503, 200);
    model.then(restart(web.id())).then(model.text("Restarted web.", 10, 5));

    OpsRun run = cycle(t.id());

    assertThat(toolNames(model.request(0))).contains("restartDeployment", "rollbackDeployment");
    assertThat(actions(run).get(0).get("allowed").asBoolean()).isTrue();
    OpsAction action = awaitStatus(t.id(), ActionStatus.SENT);
    List<FakePlatform.Request> sent = platform.requestsFor(web.id());
    assertThat(sent).hasSize(2).extracting(FakePlatform.Request::answered).containsExactly(503, 200);
    for (FakePlatform.Request r : sent) {
      assertThat(r.signedWith(SECRET)).as("signature verifies with the control secret").isTrue();
      assertThat(r.header("webhook-id")).isEqualTo(action.id());
      JsonNode body = r.payload();
      assertThat(body.get("id").asText()).isEqualTo(action.id());
      assertThat(body.get("action").asText()).isEqualTo("restart");
      assertThat(body.get("tenantId").asText()).isEqualTo(t.id());
      assertThat(body.get("deploymentId").asText()).isEqualTo(web.id());
      assertThat(body.get("reason").asText()).isEqualTo("crashed, a restart should clear it");
      assertThat(body.get("runId").asText()).isEqualTo(run.id());
      assertThat(body.has("toVersion")).isFalse();
      assertThat(body.get("requestedAt").asText()).isNotEmpty();
    }
    assertThat(sent.get(0).body()).as("every attempt sends the same bytes").isEqualTo(sent.get(1).body());
    assertThat(action.attempts()).isEqualTo(2);

    event(web.id(), "DEPLOYING");
    event(web.id(), "RUNNING");

    assertThat(awaitStatus(t.id(), ActionStatus.HELPED).finishedAt()).isNotNull();
    JsonNode listed = api.get("/api/tenants/" + t.id() + "/ops/actions").json();
    assertThat(listed.get(0).get("status").asText()).isEqualTo("helped");
    assertThat(listed.get(0).get("action").asText()).isEqualTo("restart");
    assertThat(listed.get(0).get("attempts").asInt()).isEqualTo(2);
  }

  @Test
  void anActionWaitingToBeRetriedIsCancelledOnceTheKillSwitchIsEngaged() {
    var t = tenant("umbrella");
    Deployment web = fx.deployments.create(t.lastWorkspace(), "web", DeploymentStatus.FAILED, "1.0.0");
    platform.answer(503, 503, 503, 503, 503);
    model.then(restart(web.id()));
    var killSwitch = worker.root().killSwitch();
    try {
      cycle(t.id());
      await().atMost(Duration.ofSeconds(30)).until(() -> !platform.requestsFor(web.id()).isEmpty());

      killSwitch.engage("incident review");
      int sentBefore = platform.requestsFor(web.id()).size();

      OpsAction cancelled = awaitStatus(t.id(), ActionStatus.CANCELLED);
      assertThat(cancelled.lastError()).contains("kill switch");
      // at most the attempt already on its way when the switch was engaged
      assertThat(platform.requestsFor(web.id()).size()).isLessThanOrEqualTo(sentBefore + 1);
    } finally {
      killSwitch.release();
    }
  }

  @Test
  void aRequestThePlatformRefusesWith400IsNotRetried() {
    var t = tenant("initech");
    Deployment api1 = fx.deployments.create(t.lastWorkspace(), "api", DeploymentStatus.FAILED, "1.0.0");
    platform.answer(400);
    model.then(restart(api1.id()));

    cycle(t.id());

    OpsAction failed = awaitStatus(t.id(), ActionStatus.FAILED);
    assertThat(failed.lastError()).contains("HTTP 400");
    assertThat(failed.attempts()).isEqualTo(1);
    assertThat(platform.requestsFor(api1.id())).hasSize(1);
  }

  @Test
  void aRestartThePlatformRefusesIsPagedOnceNamingTheDeploymentWithThePlatformsAnswer() {
    var t = tenant("cyberdyne");
    Deployment web = fx.deployments.create(t.lastWorkspace(), "web", DeploymentStatus.FAILED, "1.0.0");
    String trace = "frame ".repeat(1000);
    platform.answerWith(new FakePlatform.Answer(409, "{\"error\":\"web is locked by a running migration\","
        + "\"signedWith\":\"" + SECRET + "\",\"trace\":\"" + trace + "\"}"));
    model.then(restart(web.id()));

    cycle(t.id());

    OpsAction failed = awaitStatus(t.id(), ActionStatus.FAILED);
    assertThat(failed.lastError()).contains("HTTP 409").contains("web is locked by a running migration");
    await().atMost(Duration.ofSeconds(30)).until(() -> alertsFor(t.id()).size() == 1);
    JsonNode alert = alertsFor(t.id()).get(0);
    assertThat(alert.get("deploymentId").asText()).isEqualTo(web.id());
    assertThat(alert.get("severity").asText()).isEqualTo("critical");
    assertThat(alert.get("title").asText()).isEqualTo("The platform refused the agent's restart of web");
    assertThat(alert.get("incidentKey").asText()).as("paged on the deployment's incident")
        .isEqualTo(t.id() + ":" + web.id() + ":failed");
    assertThat(alert.get("body").asText()).contains("deployment web (" + web.id() + ")")
        .contains("HTTP 409: {\"error\":\"web is locked by a running migration\"")
        .contains("crashed, a restart should clear it")
        .doesNotContain(SECRET).doesNotContain(trace);
    assertThat(deliveries(t.id())).as("one page, recorded once").hasSize(1);
    assertThat(platform.requestsFor(web.id())).hasSize(1);
  }

  @Test
  void aRestartThePlatformAnswers503UntilTheRetriesRunOutIsPagedOnceWithItsLastAnswer() {
    var t = tenant("tyrell");
    Deployment web = fx.deployments.create(t.lastWorkspace(), "web", DeploymentStatus.FAILED, "1.0.0");
    int attempts = Queues.DEPLOYMENT_JOB_MAX_RETRIES + 1;
    FakePlatform.Answer[] overloaded = new FakePlatform.Answer[attempts];
    Arrays.fill(overloaded, new FakePlatform.Answer(503, "{\"error\":\"control plane overloaded\"}"));
    platform.answerWith(overloaded);
    model.then(restart(web.id()));

    cycle(t.id());

    OpsAction failed = awaitStatus(t.id(), ActionStatus.FAILED);
    assertThat(failed.attempts()).isEqualTo(attempts);
    await().atMost(Duration.ofSeconds(30)).until(() -> alertsFor(t.id()).size() == 1);
    JsonNode alert = alertsFor(t.id()).get(0);
    assertThat(alert.get("deploymentId").asText()).isEqualTo(web.id());
    assertThat(alert.get("title").asText()).isEqualTo("The agent's restart of web failed after " + attempts
        + " attempts");
    assertThat(alert.get("body").asText()).contains("gave up after " + attempts + " attempts")
        .contains("platform answered HTTP 503: {\"error\":\"control plane overloaded\"}");
    assertThat(deliveries(t.id())).hasSize(1);
    assertThat(platform.requestsFor(web.id())).hasSize(attempts);
  }

  @Test
  void aRestartFollowedByFailedIsNotHelpedAlertedAndLocksTheDeploymentOut() {
    var t = tenant("umbrella");
    Deployment db1 = fx.deployments.create(t.lastWorkspace(), "db", DeploymentStatus.FAILED, "1.0.0");
    model.then(restart(db1.id()));
    cycle(t.id());
    awaitStatus(t.id(), ActionStatus.SENT);

    event(db1.id(), "DEPLOYING");
    event(db1.id(), "FAILED");

    OpsAction notHelped = awaitStatus(t.id(), ActionStatus.NOT_HELPED);
    assertThat(notHelped.lastError()).contains("FAILED");
    await().atMost(Duration.ofSeconds(30)).until(() -> alertsFor(t.id()).size() == 1);
    JsonNode alert = alertsFor(t.id()).get(0);
    assertThat(alert.get("title").asText()).contains("did not recover").contains("db");
    assertThat(alert.get("severity").asText()).isEqualTo("critical");
    assertThat(alert.get("deploymentId").asText()).isEqualTo(db1.id());

    // the cooldown of the first restart is long gone in a later cycle; the lockout still holds
    worker.root().cooldowns().releaseKey("opsagent:cooldown:" + db1.id() + ":restartDeployment");
    model.reset();
    model.otherwise(model.text("ok", 10, 5));
    model.then(restart(db1.id()));
    OpsRun next = cycle(t.id());

    JsonNode refused = actions(next).get(0);
    assertThat(refused.get("allowed").asBoolean()).isFalse();
    assertThat(refused.get("reason").asText()).startsWith("locked_out:");
    assertThat(platform.requestsFor(db1.id())).hasSize(1);
  }

  @Test
  void aSecondMutatingCallInOneCycleIsRefused() {
    var t = tenant("globex");
    Deployment a = fx.deployments.create(t.lastWorkspace(), "a", DeploymentStatus.FAILED, "1.0.0");
    t.workspace("other");
    Deployment b = fx.deployments.create(t.lastWorkspace(), "b", DeploymentStatus.FAILED, "1.0.0");
    model.then(model.toolUse(10, 5, "restartDeployment", input(a.id()), "restartDeployment", input(b.id())));

    OpsRun run = cycle(t.id());

    List<JsonNode> calls = actions(run);
    assertThat(calls.get(0).get("allowed").asBoolean()).isTrue();
    assertThat(calls.get(1).get("allowed").asBoolean()).isFalse();
    assertThat(calls.get(1).get("reason").asText()).startsWith("one_per_cycle:");
    awaitStatus(t.id(), ActionStatus.SENT);
    assertThat(platform.requestsFor(b.id())).isEmpty();
  }

  @Test
  void aTenantGetsAtMostTheHourlyCapOfActions() {
    var t = tenant("hooli");
    List<Deployment> ds = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      t.workspace("ws" + i);
      ds.add(fx.deployments.create(t.lastWorkspace(), "app" + i, DeploymentStatus.FAILED, "1.0.0"));
    }
    List<OpsRun> runs = new ArrayList<>();
    for (Deployment d : ds) {
      model.reset();
      model.otherwise(model.text("ok", 10, 5));
      model.then(restart(d.id()));
      runs.add(cycle(t.id()));
    }

    for (int i = 0; i < 3; i++) {
      assertThat(actions(runs.get(i)).get(0).get("allowed").asBoolean()).isTrue();
    }
    JsonNode fourth = actions(runs.get(3)).get(0);
    assertThat(fourth.get("allowed").asBoolean()).isFalse();
    assertThat(fourth.get("reason").asText()).startsWith("tenant_hourly_cap:");
    await().atMost(Duration.ofSeconds(30)).until(() -> ds.stream().limit(3)
        .allMatch(d -> platform.requestsFor(d.id()).size() == 1));
    assertThat(platform.requestsFor(ds.get(3).id())).isEmpty();
  }

  @Test
  void restartingFiveOfSixDeploymentsEveryCycleActsOnOnePerCycleAndAtMostTwoInTheWindow() {
    var t = tenant("massive-dynamic");
    List<Deployment> failed = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      failed.add(fx.deployments.create(t.lastWorkspace(), "svc" + i, DeploymentStatus.FAILED, "1.0.0"));
    }
    fx.deployments.create(t.lastWorkspace(), "svc5", DeploymentStatus.RUNNING, "1.0.0");
    String[] restartAll = new String[10];
    for (int i = 0; i < 5; i++) {
      restartAll[2 * i] = "restartDeployment";
      restartAll[2 * i + 1] = input(failed.get(i).id());
    }

    List<Integer> admittedPerCycle = new ArrayList<>();
    for (int cycle = 0; cycle < 4; cycle++) {
      model.reset();
      model.otherwise(model.text("ok", 10, 5));
      model.then(model.toolUse(10, 5, restartAll));
      OpsRun run = cycle(t.id());
      admittedPerCycle.add((int) actions(run).stream().filter(a -> a.get("allowed").asBoolean()).count());
    }

    assertThat(admittedPerCycle).containsExactly(1, 1, 0, 0);
    await().atMost(Duration.ofSeconds(30)).until(() -> sentIds(failed).size() == 2);
    assertThat(worker.root().actions().orElseThrow().actions().list(t.id(), 10)).hasSize(2);
  }

  @Test
  void anotherTenantsDeploymentIsRefusedAndNeverSent() {
    var owner = tenant("owner");
    Deployment theirs = fx.deployments.create(owner.lastWorkspace(), "payments", DeploymentStatus.FAILED, "1.0.0");
    var attacker = tenant("attacker");
    fx.deployments.create(attacker.lastWorkspace(), "mine", DeploymentStatus.FAILED, "1.0.0");
    model.then(restart(theirs.id()));

    OpsRun run = cycle(attacker.id());

    JsonNode call = actions(run).get(0);
    assertThat(call.get("allowed").asBoolean()).isFalse();
    assertThat(call.get("reason").asText()).isEqualTo("unknown_deployment: unknown deploymentId '" + theirs.id() + "'");
    assertThat(worker.root().actions().orElseThrow().actions().list(attacker.id(), 10)).isEmpty();
    assertThat(worker.root().actions().orElseThrow().actions().list(owner.id(), 10)).isEmpty();
    assertThat(worker.root().cooldowns().getCooldown(theirs.id(), "restartDeployment"))
        .as("no cooldown claimed on the owner's deployment").isEmpty();
    assertThat(platform.requestsFor(theirs.id())).isEmpty();
  }

  @Test
  void aRollbackNamesOnlyAVersionTheDeploymentRanBefore() {
    var t = tenant("wayne");
    Deployment d = fx.deployments.create(t.lastWorkspace(), "shop", DeploymentStatus.RUNNING, "2.0.0");
    api.patch("/api/deployments/" + d.id(), "{\"version\":\"2.1.0\"}");
    event(d.id(), "FAILED");
    model.then(model.toolUse(10, 5,
        "rollbackDeployment", "{\"deploymentId\":\"" + d.id() + "\",\"toVersion\":\"1.9.9\",\"reason\":\"x\"}"))
        .then(model.toolUse(10, 5,
        "rollbackDeployment", "{\"deploymentId\":\"" + d.id() + "\",\"toVersion\":\"2.0.0\",\"reason\":\"broke after 2.1.0\"}"));

    OpsRun run = cycle(t.id());

    List<JsonNode> calls = actions(run);
    assertThat(calls.get(0).get("reason").asText()).startsWith("unknown_version:");
    assertThat(calls.get(1).get("allowed").asBoolean()).isTrue();
    awaitStatus(t.id(), ActionStatus.SENT);
    JsonNode body = platform.requestsFor(d.id()).get(0).payload();
    assertThat(body.get("action").asText()).isEqualTo("rollback");
    assertThat(body.get("toVersion").asText()).isEqualTo("2.0.0");
  }

  @Test
  void withoutAControlUrlTheMutatingToolsAreNotOffered() {
    var t = tenant("readonly");
    fx.deployments.create(t.lastWorkspace(), "web", DeploymentStatus.FAILED, "1.0.0");
    Map<String, String> readOnly = baseEnv(db, model);
    readOnly.put("OPSAGENT_HTTP_PORT", "0");
    try (Root services = Root.open(Config.fromEnv(readOnly))) {
      assertThat(services.actions()).isEmpty();
      services.agent().runOpsCycle(t.id(), Trigger.MANUAL);
    }
    assertThat(toolNames(model.request(0))).isNotEmpty()
        .doesNotContain("restartDeployment", "rollbackDeployment");
  }

  @Test
  void aControlUrlWithoutItsSecretStopsTheStart() {
    Map<String, String> bad = baseEnv(db, model);
    bad.put("OPSAGENT_PLATFORM_CONTROL_URL", "http://127.0.0.1:9/control");
    assertThatThrownBy(() -> Config.fromEnv(bad)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("OPSAGENT_PLATFORM_CONTROL_SECRET");
    bad.put("OPSAGENT_PLATFORM_CONTROL_SECRET", "whsec_%%%");
    assertThatThrownBy(() -> Config.fromEnv(bad)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("OPSAGENT_PLATFORM_CONTROL_SECRET: expected a secret, or whsec_ followed by base64");
  }

  // --- helpers

  private static Fixtures.TenantFixture tenant(String name) {
    var t = fx.tenant(name).workspace("production");
    worker.scheduler().disable(t.id());
    api.post("/api/tenants/" + t.id() + "/notification-channels",
        "{\"type\":\"webhook\",\"name\":\"on-call\",\"config\":{\"url\":\"" + alerts.url("/" + t.id()) + "\"}}");
    return t;
  }

  private static OpsRun cycle(String tenantId) {
    return worker.root().agent().runOpsCycle(tenantId, Trigger.MANUAL);
  }

  private static FakeMessagesApi.Reply restart(String deploymentId) {
    return model.toolUse(10, 5, "restartDeployment", input(deploymentId));
  }

  private static String input(String deploymentId) {
    return "{\"deploymentId\":\"" + deploymentId + "\",\"reason\":\"crashed, a restart should clear it\"}";
  }

  private static void event(String deploymentId, String status) {
    var r = api.post("/api/deployments/" + deploymentId + "/events",
        "{\"type\":\"platform\",\"status\":\"" + status + "\"}");
    assertThat(r.status()).isEqualTo(201);
  }

  private static OpsAction awaitStatus(String tenantId, ActionStatus status) {
    ActionRepository repo = worker.root().actions().orElseThrow().actions();
    await().atMost(Duration.ofSeconds(30)).until(() -> repo.list(tenantId, 1).stream()
        .anyMatch(a -> a.status() == status));
    return repo.list(tenantId, 1).get(0);
  }

  private static List<String> sentIds(List<Deployment> ds) {
    return ds.stream().flatMap(d -> platform.requestsFor(d.id()).stream())
        .map(r -> r.header("webhook-id")).distinct().toList();
  }

  private static List<JsonNode> actions(OpsRun run) {
    try {
      return StreamSupport.stream(JSON.readTree(run.actionsJson()).spliterator(), false).toList();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static List<String> toolNames(JsonNode request) {
    return StreamSupport.stream(request.get("tools").spliterator(), false)
        .map(t -> t.get("name").asText()).toList();
  }

  /** The deliveries recorded for the tenant's alerts (one per alert here: one channel). */
  private static List<Delivery> deliveries(String tenantId) {
    return new NotificationRepository(db.database().jdbi(), Clock.systemUTC()).listByTenant(tenantId, 10);
  }

  private static List<JsonNode> alertsFor(String tenantId) {
    return alerts.requests().stream().filter(r -> r.path().equals("/" + tenantId))
        .map(TestReceiver.Request::payload).toList();
  }

  static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
