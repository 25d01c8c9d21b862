package io.opsagent.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.opsagent.api.ApiClient;
import io.opsagent.notify.TestReceiver;
import io.opsagent.support.FakeMessagesApi;
import io.opsagent.support.TestDatabase;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Paging is code, diagnosis is the model: a FAILED or DEGRADED report is paged at once by code,
 * whatever the queue is doing; the model's alert on the paged incident goes out as an update; an
 * incident counts as paged only once a delivery reached a receiver, and a page is retried until it
 * does; a deployment failing again soon after it recovered reopens its incident.
 *
 * <p>One worker, ops concurrency 1, a model that alerts on every FAILED deployment naming it
 * (unless the tenant's name says "quiet"), and that holds a tenant's review in its model call while
 * that tenant is listed in {@link #held}.
 */
class PageGuaranteeTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final ObjectMapper JSON = new ObjectMapper();

  static TestDatabase db;
  static FakeMessagesApi model;
  static TestReceiver receiver;
  static Worker worker;
  static ApiClient api;
  /** Tenant id → latch: that tenant's first model turn waits for it. */
  static final ConcurrentHashMap<String, CountDownLatch> held = new ConcurrentHashMap<>();
  static final ConcurrentHashMap<String, CountDownLatch> arrived = new ConcurrentHashMap<>();

  @BeforeAll
  static void startWorker() throws Exception {
    db = TestDatabase.create(PageGuaranteeTest.class);
    model = FakeMessagesApi.start();
    model.otherwise(PageGuaranteeTest::answer);
    receiver = TestReceiver.answering();
    WorkerEnv env = new WorkerEnv(db, model, "PT1H")
        .with("OPSAGENT_OPS_CONCURRENCY", "1")
        .with("OPSAGENT_NOTIFY_MAX_BACKOFF", "PT1S")
        .with("OPSAGENT_WATCHDOG_AFTER", "PT1H"); // the watchdog has a test of its own
    worker = Worker.start(env.config());
    api = new ApiClient(worker.httpPort(), env.token);
  }

  @AfterAll
  static void stopWorker() {
    held.values().forEach(CountDownLatch::countDown);
    if (worker != null) {
      worker.close();
    }
    receiver.close();
    model.close();
    db.close();
  }

  private static FakeMessagesApi.Reply answer(JsonNode request) {
    if (request.path("messages").size() > 1) {
      return model.text("Alerted on-call with a diagnosis.", 900, 40);
    }
    JsonNode state = SreScript.stateOf(request);
    String tenant = state.path("tenantId").asText();
    CountDownLatch hold = held.get(tenant);
    if (hold != null) {
      arrived.computeIfAbsent(tenant, t -> new CountDownLatch(1)).countDown();
      try {
        hold.await(2, TimeUnit.MINUTES);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    JsonNode failed = state.path("failed");
    if (failed.isEmpty() || state.toString().contains("quiet-")) {
      return model.text("All clear.", 800, 20);
    }
    JsonNode d = failed.get(0);
    return model.toolUse(850, 60, "sendAlert", JSON.createObjectNode()
        .put("workspaceId", d.path("workspaceId").asText()).put("deploymentId", d.path("deploymentId").asText())
        .put("severity", "critical").put("title", d.path("name").asText() + " crashes on start")
        .put("body", "Diagnosis: " + d.path("name").asText() + " exits right after start; roll back.").toString());
  }

  /** A tenant with one workspace, one RUNNING deployment and a webhook to {@code receiver}; returns [tenant, deployment]. */
  private static String[] tenant(String name, TestReceiver to) {
    String tenant = api.create("/api/tenants", "{\"name\":\"" + name + "\"}");
    String ws = api.create("/api/tenants/" + tenant + "/workspaces", "{\"name\":\"prod\"}");
    String app = api.create("/api/workspaces/" + ws + "/deployments", "{\"name\":\"" + name + "-app\"}");
    assertThat(api.post("/api/tenants/" + tenant + "/notification-channels",
        "{\"type\":\"webhook\",\"name\":\"on-call\",\"config\":{\"url\":\"" + to.url("/hooks/" + tenant)
            + "\"}}").status()).isEqualTo(201);
    return new String[] {tenant, app};
  }

  private static List<TestReceiver.Request> about(TestReceiver to, String tenant, String deployment) {
    return to.requests().stream().filter(r -> r.path().equals("/hooks/" + tenant))
        .filter(r -> deployment.equals(r.payload().path("deploymentId").asText())).toList();
  }

  private static JsonNode incident(String tenant) {
    JsonNode open = api.get("/api/tenants/" + tenant + "/incidents?status=open").json();
    assertThat(open).hasSize(1);
    return open.get(0);
  }

  @Test
  void aFailureIsPagedByCodeWhileAnotherTenantsReviewHoldsTheOnlyOpsSlot() throws Exception {
    String[] busy = tenant("busy", receiver);
    String[] other = tenant("other", receiver);
    held.put(busy[0], new CountDownLatch(1));
    api.post("/api/deployments/" + busy[1] + "/events", "{\"type\":\"crash\",\"status\":\"FAILED\"}");
    assertThat(arrived.computeIfAbsent(busy[0], t -> new CountDownLatch(1)).await(30, TimeUnit.SECONDS))
        .as("the busy tenant's review holds the only ops slot").isTrue();

    var report = api.post("/api/deployments/" + other[1] + "/events", "{\"type\":\"crash\",\"status\":\"FAILED\"}");
    assertThat(report.json().get("cycleQueued").asBoolean()).isTrue();
    JsonNode page = await().atMost(WAIT).until(() -> about(receiver, other[0], other[1]), r -> !r.isEmpty())
        .get(0).payload();
    assertThat(held.get(busy[0]).getCount()).as("paged while the other tenant's review was still running").isEqualTo(1);
    assertThat(page.get("status").asText()).isEqualTo("firing");
    assertThat(page.get("by").asText()).isEqualTo("code");
    assertThat(page.get("title").asText()).isEqualTo("Deployment other-app is FAILED");
    assertThat(page.get("incidentKey").asText()).isEqualTo(other[0] + ":" + other[1] + ":failed");

    held.get(busy[0]).countDown();
    // the other tenant's review follows: its alert on the paged incident is an update, not a second page
    List<TestReceiver.Request> all = await().atMost(WAIT).until(() -> about(receiver, other[0], other[1]),
        r -> r.size() == 2);
    JsonNode update = all.get(1).payload();
    assertThat(update.get("status").asText()).isEqualTo("update");
    assertThat(update.get("by").asText()).isEqualTo("model");
    assertThat(update.get("incidentKey").asText()).isEqualTo(page.get("incidentKey").asText());
    assertThat(update.get("body").asText()).startsWith("Diagnosis:");
    assertThat(all.get(1).header("webhook-id")).isNotEqualTo(all.get(0).header("webhook-id"));
    assertThat(all.stream().filter(r -> r.payload().get("status").asText().equals("firing"))).hasSize(1);
    JsonNode incident = incident(other[0]);
    assertThat(incident.get("pageStatus").asText()).isEqualTo("paged");
    assertThat(incident.has("pagedAt")).isTrue();
    JsonNode run = await().atMost(WAIT).until(() -> api.get("/api/tenants/" + other[0] + "/ops/runs").json(),
        r -> r.size() == 1 && r.get(0).get("status").asText().equals("completed")).get(0);
    assertThat(run.get("actionsJson").toString()).contains("sent as an update").contains("paged at");
    assertThat(page.get("runId").asText()).as("the page names the review it queued").isEqualTo(run.get("id").asText());
    assertThat(run.get("actionsJson").get(0).get("name").asText()).isEqualTo("page");
    assertThat(run.get("actionsJson").get(0).get("by").asText()).as("the audit shows code paged").isEqualTo("code");
    assertThat(run.get("actionsJson").get(0).get("input").get("incidentKey").asText())
        .isEqualTo(page.get("incidentKey").asText());
  }

  @Test
  void aPageWhoseReceiverIsDownForAMinuteIsDeliveredOnceWhenItReturnsAndTheIncidentIsUnpagedMeanwhile()
      throws Exception {
    try (TestReceiver down = TestReceiver.alwaysFailing(503)) {
      String[] t = tenant("quiet-outage", down);
      api.post("/api/deployments/" + t[1] + "/events", "{\"type\":\"crash\",\"status\":\"FAILED\"}");
      await().atMost(WAIT).until(() -> about(down, t[0], t[1]).size() >= 2);
      JsonNode unpaged = incident(t[0]);
      assertThat(unpaged.get("pageStatus").asText()).isEqualTo("unpaged");
      assertThat(unpaged.has("pagingSince")).as("a page is on its way").isTrue();
      assertThat(unpaged.has("pagedAt")).isFalse();

      // a minute of outage: the page keeps being retried and the incident stays unpaged throughout
      await().during(Duration.ofSeconds(60)).atMost(Duration.ofSeconds(75))
          .until(() -> incident(t[0]).get("pageStatus").asText().equals("unpaged"));
      assertThat(down.successes()).isZero();
      int attemptsWhileDown = about(down, t[0], t[1]).size();
      assertThat(attemptsWhileDown).as("retried through the outage, not given up after a few tries")
          .isGreaterThan(10);

      down.answerFromNow(200);
      await().atMost(Duration.ofSeconds(10)).until(() -> down.successes() == 1);
      List<TestReceiver.Request> attempts = about(down, t[0], t[1]);
      Set<String> ids = attempts.stream().map(r -> r.header("webhook-id")).collect(Collectors.toSet());
      assertThat(ids).as("one page, one webhook-id on every attempt").hasSize(1);
      JsonNode paged = await().atMost(WAIT).until(() -> incident(t[0]), i -> i.get("pageStatus").asText().equals("paged"));
      assertThat(paged.has("pagingSince")).isFalse();
      JsonNode deliveries = api.get("/api/tenants/" + t[0] + "/notifications").json();
      assertThat(deliveries).hasSize(1);
      assertThat(deliveries.get(0).get("status").asText()).isEqualTo("delivered");
    }
  }

  @Test
  void aDeploymentFailingAgainSoonAfterItRecoveredReopensItsIncidentWithAnUpdate() {
    String[] t = tenant("quiet-flap", receiver);
    api.post("/api/deployments/" + t[1] + "/events", "{\"type\":\"crash\",\"status\":\"FAILED\"}");
    await().atMost(WAIT).until(() -> incident(t[0]).get("pageStatus").asText().equals("paged"));
    String incidentId = incident(t[0]).get("id").asText();
    api.post("/api/deployments/" + t[1] + "/events", "{\"type\":\"recovered\",\"status\":\"RUNNING\"}");
    await().atMost(WAIT).until(() -> about(receiver, t[0], t[1]).size() == 2);
    assertThat(about(receiver, t[0], t[1]).get(1).payload().get("status").asText()).isEqualTo("resolved");

    api.post("/api/deployments/" + t[1] + "/events", "{\"type\":\"crash\",\"status\":\"FAILED\"}");
    List<TestReceiver.Request> all = await().atMost(WAIT).until(() -> about(receiver, t[0], t[1]), r -> r.size() == 3);
    JsonNode again = all.get(2).payload();
    assertThat(again.get("status").asText()).as("the same incident, an update, not a new page").isEqualTo("update");
    assertThat(again.get("title").asText()).startsWith("Again: ");
    assertThat(incident(t[0]).get("id").asText()).isEqualTo(incidentId);
  }
}
