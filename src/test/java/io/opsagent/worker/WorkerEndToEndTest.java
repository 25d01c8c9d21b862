package io.opsagent.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.opsagent.api.ApiClient;
import io.opsagent.notify.TestReceiver;
import io.opsagent.platform.DeploymentStatus;
import io.opsagent.support.FakeMessagesApi;
import io.opsagent.support.Fixtures;
import io.opsagent.support.TestDatabase;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The original test plan, automated: the real worker ({@link Worker#start}) on PostgreSQL and
 * Redis, the fake Messages API deciding, a loopback webhook receiver standing in for on-call, and
 * everything driven and observed through the HTTP API (plus a look at the tables behind it).
 */
class WorkerEndToEndTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration WAIT = Duration.ofSeconds(30);

  static TestDatabase db;
  static FakeMessagesApi model;
  static TestReceiver receiver;
  static Worker worker;
  static ApiClient api;
  static Fixtures.TenantFixture running;
  static Fixtures.TenantFixture stoppedOnly;
  static Fixtures.TenantFixture empty;

  @BeforeAll
  static void startWorker() throws Exception {
    db = TestDatabase.create(WorkerEndToEndTest.class);
    model = FakeMessagesApi.start();
    SreScript.on(model);
    receiver = TestReceiver.answering();
    Fixtures fixtures = new Fixtures(db.database());
    running = fixtures.tenant("acme").workspace("production")
        .deployment("web", DeploymentStatus.RUNNING).deployment("api", DeploymentStatus.RUNNING);
    stoppedOnly = fixtures.tenant("dormant").workspace("staging").deployment("old", DeploymentStatus.STOPPED);
    empty = fixtures.tenant("new-signup");
    WorkerEnv env = new WorkerEnv(db, model, "PT2S");
    worker = Worker.start(env.config());
    api = new ApiClient(worker.httpPort(), env.token);
  }

  @AfterAll
  static void stopWorker() {
    if (worker != null) {
      worker.close();
    }
    receiver.close();
    model.close();
    db.close();
  }

  @Test
  void startingTheWorkerRegistersARecurringCycleForEachTenantWithRunningDeploymentsOnly() {
    JsonNode scheduled = api.get("/api/tenants/" + running.id() + "/ops/schedule").json();
    JsonNode dormant = api.get("/api/tenants/" + stoppedOnly.id() + "/ops/schedule").json();
    JsonNode fresh = api.get("/api/tenants/" + empty.id() + "/ops/schedule").json();

    assertThat(scheduled.get("enabled").asBoolean()).isTrue();
    assertThat(scheduled.get("interval").asText()).isEqualTo("PT2S");
    assertThat(scheduled.get("nextRunAt").isNull()).isFalse();
    assertThat(dormant.get("nextRunAt").isNull()).isTrue();
    assertThat(fresh.get("nextRunAt").isNull()).isTrue();
    assertThat(taskRows()).contains(running.id()).doesNotContain(stoppedOnly.id(), empty.id());
  }

  @Test
  void aManualCycleCompletesAllClearAndTheScheduledOnesAfterItSkipTheUnchangedStateWithoutAModelCall() {
    var trigger = api.post("/api/tenants/" + running.id() + "/ops/cycles", "");

    assertThat(trigger.status()).isEqualTo(202);
    assertThat(trigger.json().get("queued").asBoolean()).isTrue();
    assertThat(trigger.json().get("tenantId").asText()).isEqualTo(running.id());
    String runId = trigger.json().get("runId").asText();
    JsonNode manual = await().atMost(WAIT).until(() -> runs(running.id()).stream()
        .filter(r -> r.get("id").asText().equals(runId) && r.get("finishedAt").isTextual()).findFirst(),
        java.util.Optional::isPresent).orElseThrow();
    assertAllClear(manual, "manual");
    java.time.Instant reviewed = java.time.Instant.parse(manual.get("finishedAt").asText());
    JsonNode next = await().atMost(WAIT).until(() -> runs(running.id()).stream()
        .filter(r -> r.get("trigger").asText().equals("schedule")
            && java.time.Instant.parse(r.get("startedAt").asText()).isAfter(reviewed)).findFirst(),
        java.util.Optional::isPresent).orElseThrow();
    assertThat(next.get("status").asText()).isEqualTo("skipped");
    assertThat(next.get("skipReason").asText()).isEqualTo("unchanged");
    assertThat(next.get("steps").asInt()).isZero();
    for (JsonNode r : runs(running.id()).stream().filter(r -> !r.get("status").asText().equals("running")).toList()) {
      Map<String, Object> row = db.database().jdbi().withHandle(h -> h.createQuery(
              "SELECT status, summary, tenant_id FROM ops_agent_runs WHERE id = :id")
          .bind("id", r.get("id").asText()).mapToMap().one());
      assertThat(row).containsEntry("status", r.get("status").asText())
          .containsEntry("tenant_id", running.id());
    }
  }

  @Test
  void aDeploymentReportedFailedIsAlertedToTheWorkspacesWebhookByTheNextCycleAndRecorded() throws Exception {
    String tenant = api.create("/api/tenants", "{\"name\":\"globex\"}");
    String ws = api.create("/api/tenants/" + tenant + "/workspaces", "{\"name\":\"production\"}");
    api.create("/api/workspaces/" + ws + "/deployments", "{\"name\":\"web\",\"version\":\"5.0.2\"}");
    String checkout = api.create("/api/workspaces/" + ws + "/deployments", "{\"name\":\"checkout\"}");
    assertThat(api.post("/api/tenants/" + tenant + "/notification-channels",
        "{\"type\":\"webhook\",\"name\":\"on-call\",\"workspaceId\":\"" + ws + "\","
            + "\"config\":{\"url\":\"" + receiver.url("/hooks/" + tenant) + "\"}}").status()).isEqualTo(201);
    assertThat(api.get("/api/tenants/" + tenant + "/ops/schedule").json().get("nextRunAt").isNull())
        .as("the first RUNNING deployment schedules the tenant at once").isFalse();

    var event = api.post("/api/deployments/" + checkout + "/events",
        "{\"type\":\"crash\",\"message\":\"OOMKilled three times\",\"status\":\"FAILED\"}");

    assertThat(event.status()).isEqualTo(201);
    // the report is paged by code at once; the cycle's own alert (naming no deployment) follows
    List<TestReceiver.Request> alerts = await().atMost(WAIT).until(() -> alertsFor(tenant), a -> a.size() == 2);
    JsonNode page = JSON.readTree(alerts.get(0).body());
    assertThat(page.get("title").asText()).isEqualTo("Deployment checkout is FAILED");
    assertThat(page.get("status").asText()).isEqualTo("firing");
    assertThat(page.get("by").asText()).isEqualTo("code");
    JsonNode body = JSON.readTree(alerts.get(1).body());
    assertThat(body.get("tenantId").asText()).isEqualTo(tenant);
    assertThat(body.get("workspaceId").asText()).isEqualTo(ws);
    assertThat(body.get("severity").asText()).isEqualTo("critical");
    assertThat(body.get("title").asText()).isEqualTo("checkout is FAILED");
    assertThat(body.get("by").asText()).isEqualTo("model");
    assertThat(body.get("source").asText()).isEqualTo("opsagent");
    String runId = body.get("runId").asText();
    JsonNode run = await().atMost(WAIT).until(() -> runs(tenant).stream()
        .filter(r -> r.get("id").asText().equals(runId) && !r.get("status").asText().equals("running"))
        .findFirst(), java.util.Optional::isPresent).get();
    assertThat(run.get("status").asText()).isEqualTo("completed");
    assertThat(run.get("trigger").asText()).as("the event's own cycle, or the scheduled one if that was running")
        .isIn("event", "schedule");
    assertThat(run.get("summary").asText()).isEqualTo(SreScript.ALERTED);
    assertThat(run.get("actionsJson")).anySatisfy(a -> {
      assertThat(a.get("name").asText()).isEqualTo("sendAlert");
      assertThat(a.get("allowed").asBoolean()).isTrue();
      assertThat(a.get("input").get("workspaceId").asText()).isEqualTo(ws);
    });
    assertThat(api.get("/api/tenants/" + tenant + "/notifications").json())
        .anySatisfy(n -> assertThat(n.toString()).contains(runId));
  }

  @Test
  void metricsShowCyclesByStatusTokensDeliveriesAndQueueLagWithoutAToken() {
    await().atMost(WAIT).until(() -> runs(running.id()).stream()
        .anyMatch(r -> r.get("status").asText().equals("completed")));

    var metrics = new ApiClient(worker.httpPort(), null).get("/metrics");

    assertThat(metrics.status()).isEqualTo(200);
    assertThat(metrics.body())
        .containsPattern("opsagent_cycles_total\\{[^}]*status=\"completed\"")
        .contains("opsagent_cost_usd_total")
        .contains("opsagent_tokens_total{direction=\"cache_read\"}")
        .contains("opsagent_cycle_duration_seconds")
        .contains("opsagent_tokens_total{direction=\"input\"}")
        .contains("opsagent_queue_lag_seconds{queue=\"ops-agent\"}")
        .contains("opsagent_queue_lag_seconds{queue=\"deployment\"}");
  }

  private static void assertAllClear(JsonNode run, String trigger) {
    assertThat(run.get("trigger").asText()).isEqualTo(trigger);
    assertThat(run.get("status").asText()).isEqualTo("completed");
    assertThat(run.get("summary").asText()).isEqualTo(SreScript.ALL_CLEAR);
    assertThat(run.get("actionsJson")).isEmpty();
    assertThat(run.get("steps").asInt()).isEqualTo(1);
    assertThat(run.get("inputTokens").asLong()).isEqualTo(800);
    assertThat(run.get("finishedAt").isNull()).isFalse();
  }

  private static List<JsonNode> runs(String tenantId) {
    var r = api.get("/api/tenants/" + tenantId + "/ops/runs?limit=50");
    assertThat(r.status()).isEqualTo(200);
    return StreamSupport.stream(r.json().spliterator(), false).toList();
  }

  private static List<TestReceiver.Request> alertsFor(String tenantId) {
    return receiver.requests().stream().filter(r -> r.path().equals("/hooks/" + tenantId)).toList();
  }

  private static List<String> taskRows() {
    return db.database().jdbi().withHandle(h -> h.createQuery(
        "SELECT task_instance FROM ops_agent_tasks").mapTo(String.class).list());
  }
}
