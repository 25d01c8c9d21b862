package io.opsagent.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.opsagent.api.ApiClient;
import io.opsagent.notify.TestReceiver;
import io.opsagent.support.FakeMessagesApi;
import io.opsagent.support.TestDatabase;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The watchdog pages what nobody else did: with the page on report switched off and a model whose
 * only action is refused (a malformed sendAlert), a FAILED deployment is still paged, by code,
 * within {@code OPSAGENT_WATCHDOG_AFTER} + {@code OPSAGENT_WATCHDOG_INTERVAL}, once; a tenant whose
 * agent is off or that is in dry-run is not paged, and a tenant with no channel shows as
 * {@code unpageable}.
 */
class WatchdogTest {
  private static final Duration AFTER = Duration.ofSeconds(2);
  private static final Duration INTERVAL = Duration.ofSeconds(1);
  /** AFTER + INTERVAL, plus the queue's poll and a delivery: the bound the watchdog promises, with room. */
  private static final Duration BOUND = AFTER.plus(INTERVAL).plusSeconds(5);

  static TestDatabase db;
  static FakeMessagesApi model;
  static TestReceiver receiver;
  static Worker worker;
  static ApiClient api;

  @BeforeAll
  static void startWorker() throws Exception {
    db = TestDatabase.create(WatchdogTest.class);
    model = FakeMessagesApi.start();
    // the model's only action: a sendAlert without its required fields, refused as invalid input
    model.otherwise(request -> request.path("messages").size() > 1
        ? model.text("Could not alert.", 900, 40)
        : model.toolUse(850, 60, "sendAlert", "{\"title\":\"something is wrong\"}"));
    receiver = TestReceiver.answering();
    WorkerEnv env = new WorkerEnv(db, model, "PT1H")
        .with("OPSAGENT_PAGE_ON_REPORT", "false")
        .with("OPSAGENT_WATCHDOG_AFTER", "PT2S")
        .with("OPSAGENT_WATCHDOG_INTERVAL", "PT1S");
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

  /** [tenant, deployment]; with a webhook when {@code withChannel}. */
  private static String[] tenant(String name, boolean withChannel) {
    String tenant = api.create("/api/tenants", "{\"name\":\"" + name + "\"}");
    String ws = api.create("/api/tenants/" + tenant + "/workspaces", "{\"name\":\"prod\"}");
    String app = api.create("/api/workspaces/" + ws + "/deployments", "{\"name\":\"" + name + "-app\"}");
    if (withChannel) {
      assertThat(api.post("/api/tenants/" + tenant + "/notification-channels",
          "{\"type\":\"webhook\",\"name\":\"on-call\",\"config\":{\"url\":\"" + receiver.url("/hooks/" + tenant)
              + "\"}}").status()).isEqualTo(201);
    }
    return new String[] {tenant, app};
  }

  private static List<JsonNode> pages(String tenant) {
    return receiver.requests().stream().filter(r -> r.path().equals("/hooks/" + tenant))
        .map(TestReceiver.Request::payload).toList();
  }

  @Test
  void aFailureTheModelDidNotPageIsPagedByTheWatchdogOnce() {
    String[] t = tenant("ignored", true);
    api.post("/api/deployments/" + t[1] + "/events", "{\"type\":\"crash\",\"status\":\"FAILED\"}");
    JsonNode run = await().atMost(Duration.ofSeconds(30))
        .until(() -> api.get("/api/tenants/" + t[0] + "/ops/runs").json(),
            r -> r.size() == 1 && r.get(0).get("status").asText().equals("completed")).get(0);
    assertThat(run.get("actionsJson").get(0).get("allowed").asBoolean()).as("the model's only action was refused").isFalse();

    JsonNode page = await().atMost(BOUND).until(() -> pages(t[0]), p -> !p.isEmpty()).get(0);
    assertThat(page.get("status").asText()).isEqualTo("firing");
    assertThat(page.get("by").asText()).isEqualTo("code");
    assertThat(page.get("title").asText()).isEqualTo("Deployment ignored-app is FAILED");
    assertThat(page.get("incidentKey").asText()).isEqualTo(t[0] + ":" + t[1] + ":failed");
    // paged: later rounds of the watchdog leave it alone
    await().during(INTERVAL.multipliedBy(4)).atMost(INTERVAL.multipliedBy(6)).until(() -> pages(t[0]).size() == 1);
    JsonNode incident = api.get("/api/tenants/" + t[0] + "/incidents?status=open").json().get(0);
    assertThat(incident.get("pageStatus").asText()).isEqualTo("paged");
  }

  @Test
  void aTenantWhoseAgentIsOffOrInDryRunIsNotPagedAndOneWithoutAChannelIsUnpageable() {
    String[] off = tenant("switched-off", true);
    assertThat(api.delete("/api/tenants/" + off[0] + "/ops/schedule").status()).isEqualTo(200);
    String[] dry = tenant("dry", true);
    assertThat(api.put("/api/tenants/" + dry[0] + "/ops/settings", "{\"mode\":\"dry-run\"}").status()).isEqualTo(200);
    String[] silent = tenant("no-channel", false);
    String[] control = tenant("control", true);
    for (String[] t : List.of(off, dry, silent, control)) {
      api.post("/api/deployments/" + t[1] + "/events", "{\"type\":\"crash\",\"status\":\"FAILED\"}");
    }

    await().atMost(BOUND).until(() -> pages(control[0]).size() == 1);
    await().during(INTERVAL.multipliedBy(3)).atMost(INTERVAL.multipliedBy(5))
        .until(() -> pages(off[0]).isEmpty() && pages(dry[0]).isEmpty());
    assertThat(api.get("/api/tenants/" + silent[0]).json().get("unpageable").asBoolean()).isTrue();
    assertThat(api.get("/api/tenants/" + control[0]).json().get("unpageable").asBoolean()).isFalse();
  }
}
