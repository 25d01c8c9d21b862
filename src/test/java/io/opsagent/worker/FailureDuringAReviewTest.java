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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A failure reported while its tenant's review is in a model call does not wait for that review:
 * code pages at once on the deployment's incident, under the pending cycle's run id, and the
 * pending review that follows adds its alert to the incident as an update instead of paging again.
 */
class FailureDuringAReviewTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final ObjectMapper JSON = new ObjectMapper();

  static TestDatabase db;
  static FakeMessagesApi model;
  static TestReceiver receiver;
  static Worker worker;
  static ApiClient api;

  /** Armed: the next first turn of a cycle blocks in the model until {@link #gate} opens. */
  static final AtomicBoolean holdNext = new AtomicBoolean();
  static final CountDownLatch arrived = new CountDownLatch(1);
  static final CountDownLatch gate = new CountDownLatch(1);

  @BeforeAll
  static void startWorker() throws Exception {
    db = TestDatabase.create(FailureDuringAReviewTest.class);
    model = FakeMessagesApi.start();
    model.otherwise(FailureDuringAReviewTest::answer);
    receiver = TestReceiver.answering();
    WorkerEnv env = new WorkerEnv(db, model, "PT1H");
    worker = Worker.start(env.config());
    api = new ApiClient(worker.httpPort(), env.token);
  }

  @AfterAll
  static void stopWorker() {
    gate.countDown();
    if (worker != null) {
      worker.close();
    }
    receiver.close();
    model.close();
    db.close();
  }

  /** A model that alerts once per FAILED deployment of the state, naming it, then summarises. */
  private static FakeMessagesApi.Reply answer(JsonNode request) {
    if (request.path("messages").size() > 1) {
      return model.text("Alerted on-call.", 900, 40);
    }
    if (holdNext.compareAndSet(true, false)) {
      arrived.countDown();
      try {
        gate.await(2, TimeUnit.MINUTES);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    JsonNode failed = SreScript.stateOf(request).path("failed");
    if (failed.isEmpty()) {
      return model.text("All clear.", 800, 20);
    }
    List<String> calls = new ArrayList<>();
    for (JsonNode d : failed) {
      calls.add("sendAlert");
      calls.add(JSON.createObjectNode().put("workspaceId", d.path("workspaceId").asText())
          .put("deploymentId", d.path("deploymentId").asText()).put("severity", "critical")
          .put("title", d.path("name").asText() + " is FAILED")
          .put("body", "Deployment " + d.path("name").asText() + " failed; look at its logs.").toString());
    }
    return model.toolUse(850, 60, calls.toArray(String[]::new));
  }

  @Test
  void aFailureReportedDuringAReviewIsPagedAtOnceAndTheFollowingReviewUpdatesInsteadOfPagingAgain() throws Exception {
    String tenant = api.create("/api/tenants", "{\"name\":\"busy\"}");
    String ws = api.create("/api/tenants/" + tenant + "/workspaces", "{\"name\":\"prod\"}");
    String web = api.create("/api/workspaces/" + ws + "/deployments", "{\"name\":\"web\"}");
    String app = api.create("/api/workspaces/" + ws + "/deployments", "{\"name\":\"api\"}");
    assertThat(api.post("/api/tenants/" + tenant + "/notification-channels",
        "{\"type\":\"webhook\",\"name\":\"on-call\",\"config\":{\"url\":\"" + receiver.url("/hooks/" + tenant)
            + "\"}}").status()).isEqualTo(201);

    holdNext.set(true);
    api.post("/api/deployments/" + web + "/events", "{\"type\":\"crash\",\"status\":\"FAILED\"}");
    assertThat(arrived.await(30, TimeUnit.SECONDS)).as("the first review reached the model").isTrue();
    var second = api.post("/api/deployments/" + app + "/events", "{\"type\":\"crash\",\"status\":\"FAILED\"}");

    JsonNode page = await().atMost(WAIT).until(() -> alertsAbout(tenant, app), a -> !a.isEmpty()).get(0);
    assertThat(gate.getCount()).as("paged while the first review was still in its model call").isEqualTo(1);
    assertThat(second.json().get("cycleQueued").asBoolean()).isTrue();
    assertThat(page.get("status").asText()).isEqualTo("firing");
    assertThat(page.get("severity").asText()).isEqualTo("critical");
    assertThat(page.get("incidentKey").asText()).isEqualTo(tenant + ":" + app + ":failed");
    assertThat(page.get("title").asText()).isEqualTo("Deployment api is FAILED");

    gate.countDown();
    JsonNode runs = await().atMost(WAIT).until(() -> api.get("/api/tenants/" + tenant + "/ops/runs").json(),
        r -> r.size() == 2 && r.get(0).get("status").asText().equals("completed")
            && r.get(1).get("status").asText().equals("completed"));
    String pendingRun = runs.get(0).get("id").asText();
    assertThat(page.get("runId").asText()).as("the page belongs to the pending review's run").isEqualTo(pendingRun);
    assertThat(runs.get(0).get("actionsJson").toString()).contains("sent as an update");
    List<JsonNode> aboutApp = await().atMost(WAIT).until(() -> alertsAbout(tenant, app), a -> a.size() == 2);
    assertThat(aboutApp).as("one page, then the review's diagnosis as an update of the same incident")
        .extracting(a -> a.get("status").asText()).containsExactly("firing", "update");
    assertThat(aboutApp.get(1).get("incidentKey").asText()).isEqualTo(page.get("incidentKey").asText());
    assertThat(alertsAbout(tenant, web)).as("web: the code page, then the first review's update")
        .extracting(a -> a.get("status").asText()).containsExactly("firing", "update");
    assertThat(api.get("/api/tenants/" + tenant + "/incidents?status=open").json()).hasSize(2);
  }

  private static List<JsonNode> alertsAbout(String tenant, String deployment) {
    return receiver.requests().stream().filter(r -> r.path().equals("/hooks/" + tenant))
        .map(TestReceiver.Request::payload)
        .filter(p -> deployment.equals(p.path("deploymentId").asText())).toList();
  }
}
