package io.opsagent.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.opsagent.api.ApiClient;
import io.opsagent.support.FakeMessagesApi;
import io.opsagent.support.TestDatabase;
import java.time.Duration;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The HTTP API as the real worker serves it (every route wired to the real scheduler and
 * repositories): authentication, validation, tenant isolation, the single running cycle per tenant,
 * and the schedule switch that survives a restart.
 */
class WorkerApiTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  static TestDatabase db;
  static FakeMessagesApi model;
  static SreScript script;
  static WorkerEnv env;
  static Worker worker;
  static ApiClient api;

  @BeforeAll
  static void startWorker() {
    db = TestDatabase.create(WorkerApiTest.class);
    model = FakeMessagesApi.start();
    script = SreScript.on(model);
    env = new WorkerEnv(db, model, "PT1S");
    worker = Worker.start(env.config());
    api = new ApiClient(worker.httpPort(), env.token);
  }

  @AfterAll
  static void stopWorker() {
    if (worker != null) {
      worker.close();
    }
    model.close();
    db.close();
  }

  @Test
  void everyApiRouteRefusesRequestsWithoutOrWithAWrongTokenWith401() {
    String tenant = api.create("/api/tenants", "{\"name\":\"auth\"}");
    ApiClient anonymous = new ApiClient(worker.httpPort(), null);
    ApiClient wrong = new ApiClient(worker.httpPort(), env.token + "x");

    for (ApiClient c : List.of(anonymous, wrong)) {
      assertThat(c.post("/api/tenants", "{\"name\":\"x\"}").status()).isEqualTo(401);
      assertThat(c.get("/api/tenants/" + tenant + "/ops/runs").status()).isEqualTo(401);
      assertThat(c.get("/api/tenants/" + tenant + "/ops/schedule").status()).isEqualTo(401);
      assertThat(c.delete("/api/tenants/" + tenant + "/ops/schedule").status()).isEqualTo(401);
      var r = c.post("/api/tenants/" + tenant + "/ops/cycles", "");
      assertThat(r.status()).isEqualTo(401);
      assertThat(r.json().get("error").asText()).doesNotContain(env.token);
    }
    assertThat(anonymous.get("/health").status()).isEqualTo(200);
    assertThat(anonymous.get("/metrics").status()).isEqualTo(200);
  }

  @Test
  void malformedJsonUnknownStatusesAndMissingFieldsAre400WithAMessage() {
    String tenant = api.create("/api/tenants", "{\"name\":\"bad\"}");
    String ws = api.create("/api/tenants/" + tenant + "/workspaces", "{\"name\":\"w\"}");
    String dep = api.create("/api/workspaces/" + ws + "/deployments", "{\"name\":\"d\",\"status\":\"STOPPED\"}");

    var malformed = api.post("/api/tenants/" + tenant + "/workspaces", "{\"name\": \"w\"");
    var unknownStatus = api.post("/api/deployments/" + dep + "/events", "{\"type\":\"x\",\"status\":\"EXPLODED\"}");
    var noType = api.post("/api/deployments/" + dep + "/events", "{\"status\":\"FAILED\"}");
    var noName = api.post("/api/workspaces/" + ws + "/deployments", "{\"status\":\"RUNNING\"}");
    var noBody = api.post("/api/tenants", "");

    assertThat(List.of(malformed, unknownStatus, noType, noName, noBody)).allSatisfy(r -> {
      assertThat(r.status()).isEqualTo(400);
      assertThat(r.json().get("error").asText()).isNotBlank();
    });
    assertThat(malformed.json().get("error").asText()).contains("malformed JSON");
    assertThat(unknownStatus.json().get("error").asText()).contains("EXPLODED");
    assertThat(noType.json().get("error").asText()).contains("'type' is required");
    assertThat(noName.json().get("error").asText()).contains("'name' is required");
    assertThat(api.get("/api/tenants/" + tenant + "/ops/runs").json())
        .as("nothing was triggered by the refused event").isEmpty();
  }

  @Test
  void objectsOfAnotherTenantAndUnknownTenantsAre404() {
    String a = api.create("/api/tenants", "{\"name\":\"a\"}");
    String b = api.create("/api/tenants", "{\"name\":\"b\"}");
    String wsOfB = api.create("/api/tenants/" + b + "/workspaces", "{\"name\":\"w\"}");

    var channel = api.post("/api/tenants/" + a + "/notification-channels",
        "{\"type\":\"webhook\",\"name\":\"x\",\"workspaceId\":\"" + wsOfB + "\","
            + "\"config\":{\"url\":\"http://127.0.0.1:9/hook\"}}");

    assertThat(channel.status()).isEqualTo(404);
    assertThat(channel.body()).doesNotContain(b);
    for (var r : List.of(api.get("/api/tenants/nope/ops/runs"), api.get("/api/tenants/nope/ops/schedule"),
        api.put("/api/tenants/nope/ops/schedule"), api.delete("/api/tenants/nope/ops/schedule"),
        api.post("/api/tenants/nope/ops/cycles", ""), api.get("/api/tenants/nope/notifications"))) {
      assertThat(r.status()).isEqualTo(404);
      assertThat(r.json().get("error").asText()).contains("not found");
    }
  }

  @Test
  void manualTriggersWhileTheTenantsCycleRunsQueueOnePendingCycleThatRunsRightAfter() throws Exception {
    String tenant = api.create("/api/tenants", "{\"name\":\"busy\"}");
    api.create("/api/tenants/" + tenant + "/workspaces", "{\"name\":\"w\"}");
    SreScript.Hold hold = script.holdNextCycleOf(tenant);

    var first = api.post("/api/tenants/" + tenant + "/ops/cycles", "");
    hold.awaitArrival();
    var second = api.post("/api/tenants/" + tenant + "/ops/cycles", "");
    var third = api.post("/api/tenants/" + tenant + "/ops/cycles", "");
    hold.release();

    assertThat(first.status()).isEqualTo(202);
    assertThat(first.json().get("pending").asBoolean()).isFalse();
    assertThat(second.status()).isEqualTo(202);
    assertThat(second.json().get("queued").asBoolean()).isTrue();
    assertThat(second.json().get("pending").asBoolean()).isTrue();
    assertThat(third.json().get("runId").asText()).as("coalesced").isEqualTo(second.json().get("runId").asText());
    List<JsonNode> done = await().atMost(WAIT).until(() -> runs(tenant),
        rs -> rs.size() == 2 && rs.stream().allMatch(r -> r.get("status").asText().equals("completed")));
    assertThat(done).extracting(r -> r.get("id").asText())
        .containsExactly(second.json().get("runId").asText(), first.json().get("runId").asText());
    assertThat(done).extracting(r -> r.get("trigger").asText()).containsOnly("manual");
  }

  @Test
  void aDisabledScheduleStaysOffThroughNewDeploymentsFailuresAndARestartAndRunsAgainOnceEnabled() {
    String tenant = api.create("/api/tenants", "{\"name\":\"switch\"}");
    String ws = api.create("/api/tenants/" + tenant + "/workspaces", "{\"name\":\"w\"}");
    api.create("/api/workspaces/" + ws + "/deployments", "{\"name\":\"web\"}");
    await().atMost(WAIT).until(() -> scheduledRuns(tenant) >= 1);

    var disabled = api.delete("/api/tenants/" + tenant + "/ops/schedule");

    assertThat(disabled.status()).isEqualTo(200);
    assertThat(disabled.json().get("enabled").asBoolean()).isFalse();
    assertThat(disabled.json().get("nextRunAt").isNull()).isTrue();
    // a cycle picked just before the switch finishes first, then removes the tenant's row
    await().atMost(WAIT).until(() -> !taskRows().contains(tenant)
        && runs(tenant).stream().noneMatch(r -> r.get("status").asText().equals("running")));
    long before = runs(tenant).size();
    String another = api.create("/api/workspaces/" + ws + "/deployments", "{\"name\":\"api\"}");
    assertThat(api.post("/api/deployments/" + another + "/events",
        "{\"type\":\"crash\",\"status\":\"FAILED\"}").status()).isEqualTo(201);
    assertThat(api.get("/api/tenants/" + tenant + "/ops/schedule").json().get("enabled").asBoolean())
        .as("a new RUNNING deployment does not switch a disabled tenant back on").isFalse();
    await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5))
        .until(() -> runs(tenant).size() == before);

    WorkerEnv secondEnv = env.onAnotherPort(db, model);
    try (Worker restarted = Worker.start(secondEnv.config())) {
      ApiClient second = new ApiClient(restarted.httpPort(), secondEnv.token);
      JsonNode afterRestart = second.get("/api/tenants/" + tenant + "/ops/schedule").json();
      assertThat(afterRestart.get("enabled").asBoolean()).isFalse();
      assertThat(afterRestart.get("nextRunAt").isNull()).isTrue();
      assertThat(taskRows()).doesNotContain(tenant);

      var enabled = second.put("/api/tenants/" + tenant + "/ops/schedule");

      assertThat(enabled.status()).isEqualTo(200);
      assertThat(enabled.json().get("enabled").asBoolean()).isTrue();
      assertThat(enabled.json().get("nextRunAt").isNull()).isFalse();
      long scheduledBefore = scheduledRuns(tenant);
      await().atMost(WAIT).until(() -> scheduledRuns(tenant) > scheduledBefore);
      assertThat(api.get("/api/tenants/" + tenant + "/ops/schedule").json().get("enabled").asBoolean()).isTrue();
    }
  }

  private static List<JsonNode> runs(String tenantId) {
    var r = api.get("/api/tenants/" + tenantId + "/ops/runs?limit=200");
    assertThat(r.status()).isEqualTo(200);
    return StreamSupport.stream(r.json().spliterator(), false).toList();
  }

  private static long scheduledRuns(String tenantId) {
    return runs(tenantId).stream().filter(r -> r.get("trigger").asText().equals("schedule")
        && r.get("status").asText().equals("completed")).count();
  }

  private static List<String> taskRows() {
    return db.database().jdbi().withHandle(h -> h.createQuery(
        "SELECT task_instance FROM ops_agent_tasks").mapTo(String.class).list());
  }
}
