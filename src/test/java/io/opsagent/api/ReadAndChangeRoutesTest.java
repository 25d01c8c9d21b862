package io.opsagent.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opsagent.agent.guard.CircuitBreaker;
import io.opsagent.agent.run.OpsRun;
import io.opsagent.agent.run.RunOutcome;
import io.opsagent.agent.run.RunRepository;
import io.opsagent.agent.run.RunStatus;
import io.opsagent.agent.run.TokenUsage;
import io.opsagent.config.Config;
import io.opsagent.db.Ids;
import io.opsagent.notify.Alert;
import io.opsagent.notify.ChannelType;
import io.opsagent.notify.NotificationChannelRepository;
import io.opsagent.notify.Severity;
import io.opsagent.notify.TestReceiver;
import io.opsagent.notify.delivery.DeliveryNotifier;
import io.opsagent.notify.delivery.NotificationRepository;
import io.opsagent.platform.DeploymentStatus;
import io.opsagent.queue.schedule.Trigger;
import io.opsagent.support.Fixtures;
import io.opsagent.support.TestDatabase;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What can be read back and changed through the API once created: tenants with their agent's status, lists, runs, deployment facts, channels. */
class ReadAndChangeRoutesTest {
  static TestDatabase db;
  static TestApi app;
  static ApiClient api;
  static Fixtures fx;
  static RunRepository runs;

  @BeforeAll
  static void start() {
    db = TestDatabase.create(ReadAndChangeRoutesTest.class);
    app = TestApi.start(db.database());
    api = app.api;
    fx = new Fixtures(db.database());
    runs = new RunRepository(db.database().jdbi(), Clock.systemUTC());
  }

  @AfterAll
  static void stop() {
    app.close();
    db.close();
  }

  @Test
  void aTenantShowsItsAgentStatusCountsAndLastRun() {
    var t = fx.tenant("status").workspace("web")
        .deployment("a", DeploymentStatus.FAILED).deployment("b", DeploymentStatus.FAILED)
        .deployment("c", DeploymentStatus.DEGRADED).deployment("d", DeploymentStatus.RUNNING);
    OpsRun run = finished(t.id(), RunStatus.COMPLETED, Trigger.SCHEDULE);
    var quiet = fx.tenant("quiet");
    db.database().jdbi().useHandle(h -> h.createUpdate(
            "INSERT INTO ops_schedules (tenant_id, enabled, updated_at) VALUES (:t, FALSE, :now)")
        .bind("t", quiet.id()).bind("now", io.opsagent.db.Times.current(Clock.systemUTC())).execute());

    JsonNode one = api.get("/api/tenants/" + t.id()).json();
    JsonNode off = api.get("/api/tenants/" + quiet.id()).json();

    assertThat(one.get("name").asText()).isEqualTo("status");
    assertThat(one.get("opsEnabled").asBoolean()).isTrue();
    assertThat(one.get("paused").asBoolean()).isFalse();
    assertThat(one.has("pausedUntil")).isFalse();
    assertThat(one.get("mode").asText()).isEqualTo("live");
    assertThat(one.get("failed").asInt()).isEqualTo(2);
    assertThat(one.get("degraded").asInt()).isEqualTo(1);
    assertThat(one.get("lastRun").get("id").asText()).isEqualTo(run.id());
    assertThat(one.get("lastRun").get("status").asText()).isEqualTo("completed");
    assertThat(off.get("opsEnabled").asBoolean()).isFalse();
    assertThat(off.has("lastRun")).isFalse();
    assertThat(api.get("/api/tenants/nope").status()).isEqualTo(404);
    assertThat(api.get("/api/tenants/nope").json().get("error").asText()).isEqualTo("tenant not found");
  }

  @Test
  void aTenantPausedByTheCircuitBreakerShowsUntilWhenAndTheListAgreesWithOneTenant() {
    var paused = fx.tenant("paused");
    List<OpsRun> failures = new ArrayList<>();
    for (int i = 0; i < CircuitBreaker.FAILURES_TO_OPEN; i++) {
      failures.add(finished(paused.id(), RunStatus.FAILED, Trigger.SCHEDULE));
    }
    var breaker = new CircuitBreaker(db.database().jdbi(), TestApi.CIRCUIT_PAUSE, Clock.systemUTC());
    Instant lastFailure = runs.find(paused.id(), failures.get(failures.size() - 1).id()).orElseThrow().finishedAt();

    JsonNode one = api.get("/api/tenants/" + paused.id()).json();
    JsonNode listed = byId(api.get("/api/tenants?limit=1000").json(), paused.id());

    assertThat(breaker.checkCircuitBreaker(paused.id())).isTrue();
    assertThat(one.get("paused").asBoolean()).isTrue();
    assertThat(Instant.parse(one.get("pausedUntil").asText())).isEqualTo(lastFailure.plus(TestApi.CIRCUIT_PAUSE));
    assertThat(listed).isEqualTo(one);

    breaker.resetCircuitBreaker(paused.id());

    assertThat(api.get("/api/tenants/" + paused.id()).json().get("paused").asBoolean()).isFalse();
  }

  @Test
  void tenantsArePagedByIdWithAfter() {
    for (int i = 0; i < 3; i++) {
      fx.tenant("paging-" + i);
    }
    List<String> all = ids(api.get("/api/tenants?limit=1000").json());
    List<String> paged = new ArrayList<>();
    String after = null;
    while (true) {
      var page = api.get("/api/tenants?limit=2" + (after == null ? "" : "&after=" + after)).json();
      if (page.isEmpty()) {
        break;
      }
      paged.addAll(ids(page));
      after = paged.get(paged.size() - 1);
    }

    assertThat(paged).isEqualTo(all).doesNotHaveDuplicates();
    assertThat(api.get("/api/tenants?page=2").status()).isEqualTo(400);
    assertThat(api.get("/api/tenants?page=2").json().get("error").asText()).contains("'page'");
  }

  @Test
  void runsArePagedWithBeforeExactlyOnceAndFilteredByStatusAndTrigger() {
    var t = fx.tenant("runs");
    List<String> newestFirst = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      OpsRun r = finished(t.id(), i % 3 == 0 ? RunStatus.FAILED : RunStatus.COMPLETED,
          i % 2 == 0 ? Trigger.MANUAL : Trigger.SCHEDULE);
      newestFirst.add(0, r.id());
    }
    String base = "/api/tenants/" + t.id() + "/ops/runs";

    List<String> paged = new ArrayList<>();
    String before = null;
    while (true) {
      var page = api.get(base + "?limit=3" + (before == null ? "" : "&before=" + before));
      assertThat(page.status()).isEqualTo(200);
      if (page.json().isEmpty()) {
        break;
      }
      paged.addAll(ids(page.json()));
      before = paged.get(paged.size() - 1);
    }
    var failed = api.get(base + "?status=failed").json();
    var manualFailed = api.get(base + "?status=failed&trigger=manual").json();

    assertThat(paged).isEqualTo(newestFirst);
    assertThat(failed).hasSize(3).allSatisfy(r -> assertThat(r.get("status").asText()).isEqualTo("failed"));
    assertThat(manualFailed).hasSize(2).allSatisfy(r -> assertThat(r.get("trigger").asText()).isEqualTo("manual"));
    assertThat(api.get(base + "?before=" + Ids.newId()).status()).isEqualTo(400);
    assertThat(api.get(base + "?status=exploded").json().get("error").asText()).contains("status must be one of");
    assertThat(api.get(base + "?limt=5").json().get("error").asText()).contains("'limt'");
    assertThat(api.get(base + "?limt=5").status()).isEqualTo(400);
  }

  @Test
  void oneRunIsReadThroughItsOwnTenantOnly() {
    var t = fx.tenant("one-run");
    var other = fx.tenant("other");
    OpsRun run = finished(t.id(), RunStatus.COMPLETED, Trigger.MANUAL);

    var own = api.get("/api/tenants/" + t.id() + "/ops/runs/" + run.id());
    var foreign = api.get("/api/tenants/" + other.id() + "/ops/runs/" + run.id());

    assertThat(own.status()).isEqualTo(200);
    assertThat(own.json().get("id").asText()).isEqualTo(run.id());
    assertThat(own.json().get("trigger").asText()).isEqualTo("manual");
    assertThat(foreign.status()).isEqualTo(404);
    assertThat(foreign.json().get("error").asText()).isEqualTo("run not found");
  }

  @Test
  void workspacesAndDeploymentsAreListedPerOwner() {
    var a = fx.tenant("lists-a").workspace("web").deployment("api", DeploymentStatus.RUNNING)
        .deployment("db", DeploymentStatus.FAILED);
    var b = fx.tenant("lists-b").workspace("other");

    var workspaces = api.get("/api/tenants/" + a.id() + "/workspaces").json();
    var deployments = api.get("/api/workspaces/" + a.lastWorkspace().id() + "/deployments").json();

    assertThat(ids(workspaces)).containsExactly(a.lastWorkspace().id());
    assertThat(ids(api.get("/api/tenants/" + b.id() + "/workspaces").json())).containsExactly(b.lastWorkspace().id());
    assertThat(deployments).hasSize(2);
    assertThat(deployments.get(0).get("name").asText()).isEqualTo("api");
    assertThat(deployments.get(1).get("status").asText()).isEqualTo("FAILED");
    assertThat(api.get("/api/workspaces/nope/deployments").status()).isEqualTo(404);
  }

  @Test
  void aDeploymentsFactsArePatchedAndAVersionChangeIsRecordedAsAnEvent() {
    var t = fx.tenant("patch").workspace("w");
    var d = t.deploy("pg", DeploymentStatus.RUNNING, "15.1");
    String path = "/api/deployments/" + d.id();

    var r = api.patch(path, """
        {"version": "15.2", "latestVersion": "15.4", "healthUrl": "https://pg.example/health",
         "backupSchedule": "0 3 * * *", "lastBackupAt": "2026-01-31T03:00:00Z", "lastBackupStatus": "failed"}""");

    assertThat(r.status()).isEqualTo(200);
    JsonNode dep = r.json();
    assertThat(dep.get("version").asText()).isEqualTo("15.2");
    assertThat(dep.get("latestVersion").asText()).isEqualTo("15.4");
    assertThat(dep.get("healthUrl").asText()).isEqualTo("https://pg.example/health");
    assertThat(dep.get("backupSchedule").asText()).isEqualTo("0 3 * * *");
    assertThat(dep.get("lastBackupAt").asText()).isEqualTo("2026-01-31T03:00:00Z");
    assertThat(dep.get("lastBackupStatus").asText()).isEqualTo("failed");
    assertThat(dep.get("status").asText()).isEqualTo("RUNNING");
    var stored = fx.deployments.find(d.id()).orElseThrow();
    assertThat(stored.updateAvailable()).isTrue();
    var events = fx.deployments.eventsSince(t.id(), Instant.EPOCH, 10);
    assertThat(events).singleElement().satisfies(e -> {
      assertThat(e.type()).isEqualTo("version_changed");
      assertThat(e.message()).contains("15.1").contains("15.2");
    });

    assertThat(api.patch(path, "{\"healthUrl\": null}").json().get("healthUrl").isNull()).isTrue();
    assertThat(fx.deployments.eventsSince(t.id(), Instant.EPOCH, 10)).hasSize(1);
  }

  @Test
  void aPatchWithABadOrUnknownFieldChangesNothing() {
    var t = fx.tenant("bad-patch").workspace("w");
    var d = t.deploy("app", DeploymentStatus.RUNNING, "1.0");
    String path = "/api/deployments/" + d.id();

    Map<String, String> refused = Map.of(
        "{\"healthUrl\": \"ftp://x\"}", "'healthUrl'",
        "{\"lastBackupAt\": \"yesterday\"}", "'lastBackupAt'",
        "{\"lastBackupStatus\": \"meh\"}", "'lastBackupStatus'",
        "{\"status\": \"FAILED\"}", "'status'",
        "{\"version\": null}", "'version'",
        "{\"version\": \"1\\u0000\"}", "'version'",
        "{}", "no field");

    refused.forEach((body, mention) -> {
      var r = api.patch(path, body);
      assertThat(r.status()).as(body).isEqualTo(400);
      assertThat(r.json().get("error").asText()).as(body).contains(mention);
    });
    assertThat(fx.deployments.find(d.id()).orElseThrow()).isEqualTo(d);
    assertThat(api.patch("/api/deployments/nope", "{\"version\":\"2\"}").status()).isEqualTo(404);
  }

  @Test
  void aChannelIsPatchedWithTheSsrfGuardAndNeverEchoesItsSecret() {
    var t = fx.tenant("channels");
    var other = fx.tenant("channels-other");
    String id = api.create("/api/tenants/" + t.id() + "/notification-channels",
        "{\"type\":\"webhook\",\"name\":\"ops\",\"config\":{\"url\":\"https://93.184.216.34/T0K3N\"}}");
    String path = "/api/tenants/" + t.id() + "/notification-channels/" + id;

    var renamed = api.patch(path, "{\"name\":\"on-call\",\"enabled\":false,"
        + "\"config\":{\"url\":\"https://93.184.216.35/N3W\",\"secret\":\"s3cr3t\"}}");
    var privateUrl = api.patch(path, "{\"config\":{\"url\":\"http://169.254.169.254/latest\"}}");
    var foreign = api.patch("/api/tenants/" + other.id() + "/notification-channels/" + id, "{\"enabled\":true}");

    assertThat(renamed.status()).isEqualTo(200);
    assertThat(renamed.json().get("name").asText()).isEqualTo("on-call");
    assertThat(renamed.json().get("enabled").asBoolean()).isFalse();
    assertThat(renamed.body()).doesNotContain("N3W", "s3cr3t", "93.184");
    var nullName = api.patch(path, "{\"name\":null}");
    assertThat(nullName.status()).isEqualTo(400);
    assertThat(nullName.json().get("error").asText()).isEqualTo("'name' cannot be null");
    var enabledOnly = api.patch(path, "{\"enabled\":true}");
    assertThat(enabledOnly.json().get("name").asText()).as("an absent field is kept").isEqualTo("on-call");
    assertThat(enabledOnly.json().get("enabled").asBoolean()).isTrue();
    assertThat(privateUrl.status()).isEqualTo(400);
    assertThat(foreign.status()).isEqualTo(404);
    assertThat(api.delete("/api/tenants/" + other.id() + "/notification-channels/" + id).status()).isEqualTo(404);
  }

  @Test
  void aDeletedChannelIsGoneAndGetsNoMoreAlertsWhileTheDeliveryLogKeepsItsRows() throws Exception {
    var t = fx.tenant("delete").workspace("w");
    var jdbi = db.database().jdbi();
    var channels = new NotificationChannelRepository(jdbi, true, Clock.systemUTC());
    var log = new NotificationRepository(jdbi, Clock.systemUTC());
    Config config = Config.fromEnv(Map.of("OPSAGENT_ALLOW_PRIVATE_WEBHOOKS", "true",
        "OPSAGENT_POLL_INTERVAL", "PT0.05S", "OPSAGENT_NOTIFY_BACKOFF", "PT0.05S"));
    try (TestReceiver receiver = TestReceiver.answering();
        DeliveryNotifier notifier = new DeliveryNotifier(db.database(), channels, log, config.notifications(), config.paging(), config.scheduling(), new SimpleMeterRegistry(), Clock.systemUTC())) {
      notifier.start();
      String id = channels.create(t.id(), null, ChannelType.WEBHOOK, "hook",
          new ObjectMapper().createObjectNode().put("url", receiver.url("/hook"))).id();
      Alert alert = new Alert(t.id(), t.lastWorkspace().id(), Severity.CRITICAL, "db down", "FAILED", null);
      notifier.send(alert);
      await().until(() -> receiver.requests().size() == 1);

      var deleted = api.delete("/api/tenants/" + t.id() + "/notification-channels/" + id);
      List<String> afterDelete = notifier.send(alert);

      assertThat(deleted.status()).isEqualTo(204);
      assertThat(afterDelete).isEmpty();
      assertThat(receiver.requests()).hasSize(1);
      assertThat(api.get("/api/tenants/" + t.id() + "/notification-channels").json()).isEmpty();
      var logged = api.get("/api/tenants/" + t.id() + "/notifications").json();
      assertThat(logged).hasSize(1);
      assertThat(logged.toString()).contains(id);
      assertThat(api.patch("/api/tenants/" + t.id() + "/notification-channels/" + id, "{\"enabled\":true}")
          .status()).isEqualTo(404);
      assertThat(api.delete("/api/tenants/" + t.id() + "/notification-channels/" + id).status()).isEqualTo(404);
    }
  }

  private static OpsRun finished(String tenantId, RunStatus status, Trigger trigger) {
    OpsRun run = runs.start(tenantId, trigger);
    runs.finish(run.id(), new RunOutcome(status, "summary", "[]", new TokenUsage(1, 1, 0, 0), 1, "rules",
        null, null, status == RunStatus.FAILED ? "boom" : null));
    // runs compared newest-first must start in different milliseconds
    await().until(() -> io.opsagent.db.Times.current(Clock.systemUTC()).isAfter(run.startedAt()));
    return run;
  }

  private static List<String> ids(JsonNode list) {
    return StreamSupport.stream(list.spliterator(), false).map(n -> n.get("id").asText()).toList();
  }

  private static JsonNode byId(JsonNode list, String id) {
    return StreamSupport.stream(list.spliterator(), false).filter(n -> n.get("id").asText().equals(id))
        .findFirst().orElseThrow();
  }
}
