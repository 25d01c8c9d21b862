package io.opsagent.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.opsagent.api.ApiClient;
import io.opsagent.support.FakeMessagesApi;
import io.opsagent.support.TestDatabase;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What the API tells its caller about cycles: whether an event queued one and why not (issue 10,
 * item 3), the run id of a manual cycle, and what the agent cost per tenant-day (issue 11, item 4).
 */
class EventsAndUsageApiTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  static TestDatabase db;
  static FakeMessagesApi model;
  static Worker worker;
  static ApiClient api;
  /** Tenants whose cycles the model answers with prompt-cache usage. */
  static final Set<String> cached = ConcurrentHashMap.newKeySet();

  @BeforeAll
  static void startWorker() {
    db = TestDatabase.create(EventsAndUsageApiTest.class);
    model = FakeMessagesApi.start();
    SreScript script = new SreScript(model);
    model.otherwise(request -> cached.contains(SreScript.stateOf(request).path("tenantId").asText())
        ? model.text("All clear.", 1000, 50, 4000, 2000)
        : script.apply(request));
    WorkerEnv env = new WorkerEnv(db, model, "PT1H");
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
  void aFailedEventForATenantWithTheAgentSwitchedOffSaysNoCycleWasQueuedAndWhy() {
    String tenant = api.create("/api/tenants", "{\"name\":\"switched-off\"}");
    String ws = api.create("/api/tenants/" + tenant + "/workspaces", "{\"name\":\"w\"}");
    String dep = api.create("/api/workspaces/" + ws + "/deployments", "{\"name\":\"api\"}");
    assertThat(api.delete("/api/tenants/" + tenant + "/ops/schedule").status()).isEqualTo(200);

    var off = api.post("/api/deployments/" + dep + "/events", "{\"type\":\"crash\",\"status\":\"FAILED\"}");

    assertThat(off.status()).isEqualTo(201);
    assertThat(off.json().get("cycleQueued").asBoolean()).isFalse();
    assertThat(off.json().get("reason").asText()).contains("disabled");

    assertThat(api.put("/api/tenants/" + tenant + "/ops/schedule").status()).isEqualTo(200);
    var on = api.post("/api/deployments/" + dep + "/events", "{\"type\":\"health\",\"status\":\"DEGRADED\"}");

    assertThat(on.status()).isEqualTo(201);
    assertThat(on.json().get("cycleQueued").asBoolean()).isTrue();
    assertThat(on.json().has("reason")).isFalse();
    await().atMost(WAIT).until(() -> api.get("/api/tenants/" + tenant + "/ops/runs?trigger=event").json().size() == 1);
  }

  @Test
  void aManualTriggerAnswersTheRunIdOfTheRunItStarts() {
    String tenant = api.create("/api/tenants", "{\"name\":\"manual\"}");
    api.create("/api/tenants/" + tenant + "/workspaces", "{\"name\":\"w\"}");

    var trigger = api.post("/api/tenants/" + tenant + "/ops/cycles", "");

    assertThat(trigger.status()).isEqualTo(202);
    String runId = trigger.json().get("runId").asText();
    JsonNode run = await().atMost(WAIT).until(() -> api.get("/api/tenants/" + tenant + "/ops/runs/" + runId),
        r -> r.status() == 200 && r.json().get("status").asText().equals("completed")).json();
    assertThat(run.get("id").asText()).isEqualTo(runId);
    assertThat(run.get("trigger").asText()).isEqualTo("manual");
  }

  @Test
  void theDailyUsageSumsTheRunsTokensAndPricesThemWithTheDefaultPriceTable() {
    String tenant = api.create("/api/tenants", "{\"name\":\"billed\"}");
    api.create("/api/tenants/" + tenant + "/workspaces", "{\"name\":\"w\"}");
    cached.add(tenant);

    JsonNode first = completedManualRun(tenant);
    completedManualRun(tenant);

    // per run: 1000 in × 3 + 50 out × 15 + 2000 cache writes × 3.75 + 4000 cache reads × 0.30, per million
    BigDecimal perRun = new BigDecimal("0.01245");
    assertThat(first.get("inputTokens").asLong()).isEqualTo(1000);
    assertThat(first.get("cacheReadTokens").asLong()).isEqualTo(4000);
    assertThat(first.get("cacheWriteTokens").asLong()).isEqualTo(2000);
    assertThat(first.get("costUsd").decimalValue()).isEqualByComparingTo(perRun);
    var usage = api.get("/api/tenants/" + tenant + "/ops/usage?days=7");
    assertThat(usage.status()).isEqualTo(200);
    assertThat(usage.json()).singleElement().satisfies(day -> {
      assertThat(day.get("day").asText()).isEqualTo(LocalDate.now(ZoneOffset.UTC).toString());
      assertThat(day.get("runs").asInt()).isEqualTo(2);
      assertThat(day.get("modelCalls").asInt()).isEqualTo(2);
      assertThat(day.get("inputTokens").asLong()).isEqualTo(2000);
      assertThat(day.get("outputTokens").asLong()).isEqualTo(100);
      assertThat(day.get("cacheReadTokens").asLong()).isEqualTo(8000);
      assertThat(day.get("cacheWriteTokens").asLong()).isEqualTo(4000);
      assertThat(day.get("costUsd").decimalValue()).isEqualByComparingTo(perRun.multiply(BigDecimal.valueOf(2)));
    });
  }

  private static JsonNode completedManualRun(String tenant) {
    String runId = api.post("/api/tenants/" + tenant + "/ops/cycles", "").json().get("runId").asText();
    return await().atMost(WAIT).until(() -> api.get("/api/tenants/" + tenant + "/ops/runs/" + runId),
        r -> r.status() == 200 && r.json().get("status").asText().equals("completed")).json();
  }
}
