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
 * Incidents through the real worker and its HTTP API, decided by the rules engine: a deployment
 * that fails and recovers yields exactly one firing and one resolved notification at the receiver,
 * however many cycles look at it in between.
 */
class IncidentApiTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  static TestDatabase db;
  static FakeMessagesApi model;
  static TestReceiver receiver;
  static Worker worker;
  static ApiClient api;

  @BeforeAll
  static void startWorker() throws Exception {
    db = TestDatabase.create(IncidentApiTest.class);
    model = FakeMessagesApi.start();
    receiver = TestReceiver.answering();
    WorkerEnv env = new WorkerEnv(db, model, "PT1H");
    env.env.remove("ANTHROPIC_API_KEY");
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
  void aDeploymentThatFailsAndRecoversYieldsOneFiringAndOneResolvedNotification() {
    Setup s = tenantWithWebhook("acme");

    api.post("/api/deployments/" + s.deployment + "/events", "{\"type\":\"crash\",\"status\":\"FAILED\"}");
    JsonNode firing = await().atMost(WAIT).until(() -> hooks(s.tenant), h -> h.size() == 1).get(0).payload();
    String runId = api.post("/api/tenants/" + s.tenant + "/ops/cycles", "").json().get("runId").asText();
    JsonNode again = await().atMost(WAIT).until(() -> api.get("/api/tenants/" + s.tenant + "/ops/runs/" + runId),
        r -> r.status() == 200 && r.json().get("status").asText().equals("completed")).json();

    assertThat(firing.get("status").asText()).isEqualTo("firing");
    assertThat(firing.get("deploymentId").asText()).isEqualTo(s.deployment);
    String key = s.tenant + ":" + s.deployment + ":failed";
    assertThat(firing.get("incidentKey").asText()).isEqualTo(key);
    assertThat(again.get("actionsJson").get(0).get("result").asText()).contains("recorded on open incident");
    JsonNode open = api.get("/api/tenants/" + s.tenant + "/incidents?status=open").json();
    assertThat(open).hasSize(1);
    assertThat(open.get(0).get("incidentKey").asText()).isEqualTo(key);
    assertThat(open.get(0).get("problem").asText()).isEqualTo("failed");
    assertThat(open.get(0).get("severity").asText()).isEqualTo("critical");
    assertThat(open.get(0).get("alerts").asInt()).isGreaterThanOrEqualTo(2);
    assertThat(open.get(0).has("resolvedAt")).isFalse();

    api.post("/api/deployments/" + s.deployment + "/events", "{\"type\":\"recovered\",\"status\":\"RUNNING\"}");

    List<TestReceiver.Request> both = await().atMost(WAIT).until(() -> hooks(s.tenant), h -> h.size() == 2);
    JsonNode resolved = both.get(1).payload();
    assertThat(resolved.get("status").asText()).isEqualTo("resolved");
    assertThat(resolved.get("incidentKey").asText()).isEqualTo(key);
    assertThat(api.get("/api/tenants/" + s.tenant + "/notifications").json())
        .as("one firing and one resolved delivery recorded, nothing else").hasSize(2);
    assertThat(api.get("/api/tenants/" + s.tenant + "/incidents?status=open").json()).isEmpty();
    JsonNode closed = api.get("/api/tenants/" + s.tenant + "/incidents?status=resolved").json();
    assertThat(closed).hasSize(1);
    assertThat(closed.get(0).get("resolvedAt").isNull()).isFalse();
  }

  @Test
  void anIncidentIsAcknowledgedByItsTenantOnlyAndBadFiltersAre400() {
    Setup s = tenantWithWebhook("globex");
    Setup other = tenantWithWebhook("initech");
    api.post("/api/deployments/" + s.deployment + "/events", "{\"type\":\"crash\",\"status\":\"FAILED\"}");
    JsonNode incident = await().atMost(WAIT).until(
        () -> api.get("/api/tenants/" + s.tenant + "/incidents").json(), j -> j.size() == 1).get(0);
    String id = incident.get("id").asText();

    var foreign = api.post("/api/tenants/" + other.tenant + "/incidents/" + id + "/ack", "");
    var unknown = api.post("/api/tenants/" + s.tenant + "/incidents/nope/ack", "");
    var badStatus = api.get("/api/tenants/" + s.tenant + "/incidents?status=firing");
    var unknownParam = api.get("/api/tenants/" + s.tenant + "/incidents?state=open");
    var ack = api.post("/api/tenants/" + s.tenant + "/incidents/" + id + "/ack", "");

    assertThat(foreign.status()).isEqualTo(404);
    assertThat(foreign.json().get("error").asText()).isEqualTo("incident not found");
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(badStatus.status()).isEqualTo(400);
    assertThat(badStatus.json().get("error").asText()).contains("open, resolved");
    assertThat(unknownParam.status()).isEqualTo(400);
    assertThat(ack.status()).isEqualTo(200);
    assertThat(ack.json().get("id").asText()).isEqualTo(id);
    assertThat(ack.json().get("status").asText()).isEqualTo("open");
    assertThat(ack.json().get("acknowledgedAt").isNull()).isFalse();
    assertThat(api.get("/api/tenants/" + other.tenant + "/incidents").json()).isEmpty();
  }

  private record Setup(String tenant, String workspace, String deployment) {}

  private static Setup tenantWithWebhook(String name) {
    String tenant = api.create("/api/tenants", "{\"name\":\"" + name + "\"}");
    String ws = api.create("/api/tenants/" + tenant + "/workspaces", "{\"name\":\"prod\"}");
    String dep = api.create("/api/workspaces/" + ws + "/deployments", "{\"name\":\"checkout\"}");
    var channel = api.post("/api/tenants/" + tenant + "/notification-channels",
        "{\"type\":\"webhook\",\"name\":\"on-call\",\"config\":{\"url\":\"" + receiver.url("/hooks/" + tenant) + "\"}}");
    assertThat(channel.status()).isEqualTo(201);
    return new Setup(tenant, ws, dep);
  }

  private static List<TestReceiver.Request> hooks(String tenant) {
    return receiver.requests().stream().filter(r -> r.path().equals("/hooks/" + tenant)).toList();
  }
}
