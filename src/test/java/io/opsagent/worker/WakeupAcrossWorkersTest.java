package io.opsagent.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.opsagent.api.ApiClient;
import io.opsagent.support.FakeMessagesApi;
import io.opsagent.support.TestDatabase;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Wake at once, on any worker (issue 11, item 1): two real workers on one database, both polling
 * their queues only every 30 s. A cycle that starts within the awaited two seconds can only have
 * been started by a wake-up: the queuing worker's own, or PostgreSQL {@code NOTIFY} to the other.
 */
class WakeupAcrossWorkersTest {
  static final Duration AT_ONCE = Duration.ofSeconds(2);

  static TestDatabase db;
  static FakeMessagesApi model;
  static SreScript script;

  @BeforeAll
  static void createDatabase() {
    db = TestDatabase.create(WakeupAcrossWorkersTest.class);
    model = FakeMessagesApi.start();
    script = SreScript.on(model);
  }

  @AfterAll
  static void dropDatabase() {
    model.close();
    db.close();
  }

  static WorkerEnv slowPolling() {
    return new WorkerEnv(db, model, "PT1H")
        .with("OPSAGENT_POLL_INTERVAL", "PT30S")
        .with("OPSAGENT_OPS_CONCURRENCY", "1");
  }

  @Test
  void aFailedEventAcceptedByABusyWorkerIsPickedUpByAnotherWorkerAtOnce() throws Exception {
    WorkerEnv envA = slowPolling();
    try (Worker a = Worker.start(envA.config())) {
      ApiClient apiA = new ApiClient(a.httpPort(), envA.token);
      // worker A's only ops thread is busy with another tenant's cycle, held in its model call
      String busy = apiA.create("/api/tenants", "{\"name\":\"busy\"}");
      apiA.create("/api/tenants/" + busy + "/workspaces", "{\"name\":\"w\"}");
      SreScript.Hold hold = script.holdNextCycleOf(busy);
      assertThat(apiA.post("/api/tenants/" + busy + "/ops/cycles", "").status()).isEqualTo(202);
      hold.awaitArrival();
      WorkerEnv envB = envA.onAnotherPort(db, model);
      try (Worker b = Worker.start(envB.config())) {
        String tenant = apiA.create("/api/tenants", "{\"name\":\"failing\"}");
        String ws = apiA.create("/api/tenants/" + tenant + "/workspaces", "{\"name\":\"prod\"}");
        String dep = apiA.create("/api/workspaces/" + ws + "/deployments",
            "{\"name\":\"checkout\",\"status\":\"STOPPED\"}");

        var event = apiA.post("/api/deployments/" + dep + "/events",
            "{\"type\":\"crash\",\"message\":\"OOMKilled\",\"status\":\"FAILED\"}");

        assertThat(event.status()).isEqualTo(201);
        assertThat(event.json().get("cycleQueued").asBoolean()).isTrue();
        ApiClient apiB = new ApiClient(b.httpPort(), envB.token);
        JsonNode run = await().atMost(AT_ONCE).until(() -> apiB.get("/api/tenants/" + tenant + "/ops/runs").json(),
            runs -> runs.size() == 1).get(0);
        assertThat(run.get("trigger").asText()).isEqualTo("event");
        assertThat(runsOf(apiA, busy)).as("A is still busy: B ran the event's cycle")
            .singleElement().satisfies(r -> assertThat(r.get("status").asText()).isEqualTo("running"));
      } finally {
        hold.release();
      }
    }
  }

  @Test
  void aManualCycleStartsAtOnceInTheWorkerThatQueuedIt() {
    WorkerEnv env = slowPolling();
    try (Worker w = Worker.start(env.config())) {
      ApiClient api = new ApiClient(w.httpPort(), env.token);
      String tenant = api.create("/api/tenants", "{\"name\":\"alone\"}");
      api.create("/api/tenants/" + tenant + "/workspaces", "{\"name\":\"w\"}");
      // a first cycle: the queue's start-up poll is behind us, its next poll 30 s ahead
      String first = api.post("/api/tenants/" + tenant + "/ops/cycles", "").json().get("runId").asText();
      await().atMost(Duration.ofSeconds(30)).until(() -> completed(api, tenant, first));

      String second = api.post("/api/tenants/" + tenant + "/ops/cycles", "").json().get("runId").asText();

      await().atMost(AT_ONCE).until(() -> api.get("/api/tenants/" + tenant + "/ops/runs/" + second).status() == 200);
    }
  }

  static JsonNode runsOf(ApiClient api, String tenant) {
    return api.get("/api/tenants/" + tenant + "/ops/runs").json();
  }

  static boolean completed(ApiClient api, String tenant, String runId) {
    var r = api.get("/api/tenants/" + tenant + "/ops/runs/" + runId);
    return r.status() == 200 && r.json().get("status").asText().equals("completed");
  }
}
