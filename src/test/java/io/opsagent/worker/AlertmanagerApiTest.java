package io.opsagent.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.opsagent.api.ApiClient;
import io.opsagent.notify.TestReceiver;
import io.opsagent.support.FakeMessagesApi;
import io.opsagent.support.TestDatabase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Alertmanager's webhook through the real worker, with payloads of the shape Alertmanager's
 * documentation gives for {@code webhook_config} (every field, the ones the route does not read
 * included): firing and resolved alerts move the deployment their labels name and page, a re-sent
 * group records nothing new, an alert naming no deployment is answered and counted, a resolved
 * alert leaves the deployment failing while another of its alerts fires, and a tenant key is refused.
 */
class AlertmanagerApiTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String ROUTE = "/api/integrations/alertmanager";

  static TestDatabase db;
  static FakeMessagesApi model;
  static TestReceiver receiver;
  static Worker worker;
  static ApiClient api;

  @BeforeAll
  static void startWorker() throws Exception {
    db = TestDatabase.create(AlertmanagerApiTest.class);
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
  void firingThenResolvedMovesTheDeploymentByNamespaceAndDeploymentLabelsAndPagesOnce() {
    String tenant = tenant("shop");
    String dep = deployment(tenant, "payments/checkout");

    var firing = api.post(ROUTE, payload("firing", alert("firing", "checkout", "payments", "warning",
        "fp-high-latency", "2026-12-06T20:00:00.000Z", "0001-01-01T00:00:00Z")));
    assertThat(firing.status()).as(firing.body()).isEqualTo(202);
    assertThat(firing.json().get("accepted").asInt()).isEqualTo(1);
    assertThat(firing.json().get("unmatched")).isEmpty();
    assertThat(status(dep)).isEqualTo("DEGRADED");
    await().atMost(WAIT).until(() -> hooks(tenant, dep), h -> h.size() == 1);
    JsonNode event = api.get("/api/deployments/" + dep + "/events").json().get(0);
    assertThat(event.get("type").asText()).isEqualTo("alertmanager");
    assertThat(event.get("message").asText()).isEqualTo("HighLatency firing: checkout p99 above 2s");

    var resolved = api.post(ROUTE, payload("resolved", alert("resolved", "checkout", "payments", "warning",
        "fp-high-latency", "2026-12-06T20:00:00.000Z", "2026-12-06T20:10:00.000Z")));
    assertThat(resolved.status()).isEqualTo(202);
    assertThat(status(dep)).isEqualTo("RUNNING");
    assertThat(events(dep)).extracting(e -> e.get("status").asText()).containsExactly("RUNNING", "DEGRADED");
  }

  @Test
  void aCriticalAlertByDeploymentIdIsFailedAndARepeatedGroupRecordsNoSecondEvent() {
    String tenant = tenant("billing");
    String dep = deployment(tenant, "billing/api");
    String body = payload("firing", alert("firing", Label.id(dep), "critical", "fp-down",
        "2026-12-06T21:00:00Z"));

    var first = api.post(ROUTE, body);
    var again = api.post(ROUTE, body);
    var third = api.post(ROUTE, body);

    assertThat(first.json().get("recorded").asInt()).isEqualTo(1);
    assertThat(again.status()).isEqualTo(202);
    assertThat(again.json().get("accepted").asInt()).isEqualTo(1);
    assertThat(again.json().get("recorded").asInt()).isZero();
    assertThat(third.json().get("recorded").asInt()).isZero();
    assertThat(status(dep)).isEqualTo("FAILED");
    assertThat(events(dep)).hasSize(1);
    await().atMost(WAIT).until(() -> hooks(tenant, dep), h -> h.size() == 1);
    await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10)).until(() -> hooks(tenant, dep).size() == 1);
  }

  @Test
  void anAlertNamingNoDeploymentIsAnsweredAndCountedWhileTheOthersOfTheGroupApply() {
    String tenant = tenant("mixed");
    String dep = deployment(tenant, "mixed/web");
    double before = unmatchedTotal();

    var r = api.post(ROUTE, payload("firing",
        alert("firing", "web", "mixed", "warning", "fp-known", "2026-12-06T21:00:00Z", "0001-01-01T00:00:00Z"),
        alert("firing", "ghost", "nowhere", "warning", "fp-unknown", "2026-12-06T21:00:00Z", "0001-01-01T00:00:00Z")));

    assertThat(r.status()).isEqualTo(202);
    assertThat(r.json().get("accepted").asInt()).isEqualTo(1);
    assertThat(r.json().get("unmatched")).hasSize(1);
    JsonNode u = r.json().get("unmatched").get(0);
    assertThat(u.get("fingerprint").asText()).isEqualTo("fp-unknown");
    assertThat(u.get("alertname").asText()).isEqualTo("HighLatency");
    assertThat(u.get("reason").asText()).isEqualTo("no live deployment with externalId nowhere/ghost");
    assertThat(status(dep)).isEqualTo("DEGRADED");
    assertThat(unmatchedTotal()).isEqualTo(before + 1);
  }

  @Test
  void resolvingOneAlertWhileAnotherOfTheDeploymentFiresKeepsItFailing() {
    String tenant = tenant("orders");
    String dep = deployment(tenant, "orders/worker");
    api.post(ROUTE, payload("firing",
        alert("firing", "worker", "orders", "page", "fp-crash", "2026-12-06T21:00:00Z", "0001-01-01T00:00:00Z"),
        alert("firing", "worker", "orders", "warning", "fp-slow", "2026-12-06T21:01:00Z", "0001-01-01T00:00:00Z")));
    assertThat(status(dep)).isEqualTo("FAILED");

    api.post(ROUTE, payload("resolved",
        alert("resolved", "worker", "orders", "warning", "fp-slow", "2026-12-06T21:01:00Z", "2026-12-06T21:05:00Z")));
    assertThat(status(dep)).as("the critical alert still fires").isEqualTo("FAILED");

    api.post(ROUTE, payload("resolved",
        alert("resolved", "worker", "orders", "page", "fp-crash", "2026-12-06T21:00:00Z", "2026-12-06T21:06:00Z")));
    assertThat(status(dep)).isEqualTo("RUNNING");
  }

  @Test
  void aTenantKeyIsRefusedAndABadPayloadIs400() {
    String tenant = tenant("keyed");
    var key = api.post("/api/keys", "{\"name\":\"t\",\"role\":\"tenant\",\"tenantId\":\"" + tenant + "\"}");
    assertThat(key.status()).as(key.body()).isEqualTo(201);
    var asTenant = new ApiClient(worker.httpPort(), key.json().get("key").asText())
        .post(ROUTE, payload("firing"));
    var bad = api.post(ROUTE, "{\"version\":\"4\",\"alerts\":[{\"status\":\"burning\",\"fingerprint\":\"x\","
        + "\"startsAt\":\"2026-12-06T21:00:00Z\"}]}");

    assertThat(asTenant.status()).isEqualTo(403);
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.json().get("error").asText()).contains("must be firing or resolved");
  }

  private static String tenant(String name) {
    String tenant = api.create("/api/tenants", "{\"name\":\"" + name + "\"}");
    var channel = api.post("/api/tenants/" + tenant + "/notification-channels",
        "{\"type\":\"webhook\",\"name\":\"on-call\",\"config\":{\"url\":\"" + receiver.url("/hooks/" + tenant) + "\"}}");
    assertThat(channel.status()).isEqualTo(201);
    return tenant;
  }

  private static String deployment(String tenant, String externalId) {
    String ws = api.create("/api/tenants/" + tenant + "/workspaces", "{\"name\":\"prod\"}");
    return api.create("/api/workspaces/" + ws + "/deployments",
        "{\"name\":\"" + externalId.replace('/', '-') + "\",\"externalId\":\"" + externalId + "\"}");
  }

  private static String status(String dep) {
    return api.get("/api/deployments/" + dep).json().get("status").asText();
  }

  private static List<JsonNode> events(String dep) {
    List<JsonNode> out = new ArrayList<>();
    api.get("/api/deployments/" + dep + "/events").json().forEach(out::add);
    return out;
  }

  private static double unmatchedTotal() {
    String text = new ApiClient(worker.httpPort(), null).get("/metrics").body();
    return text.lines().filter(l -> l.startsWith("opsagent_alertmanager_unmatched_total"))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
  }

  private static List<TestReceiver.Request> hooks(String tenant, String deployment) {
    return receiver.requests().stream().filter(r -> r.path().equals("/hooks/" + tenant))
        .filter(r -> deployment.equals(r.payload().path("deploymentId").asText())).toList();
  }

  /** The labels naming a deployment by id. */
  private record Label(String id) {
    static Label id(String deploymentId) {
      return new Label(deploymentId);
    }
  }

  /** An alert as Alertmanager posts it, naming its deployment by namespace and deployment labels. */
  private static String alert(String status, String deployment, String namespace, String severity,
      String fingerprint, String startsAt, String endsAt) {
    return alert(status, "\"namespace\":\"" + namespace + "\",\"deployment\":\"" + deployment + "\"", severity,
        fingerprint, startsAt, endsAt);
  }

  private static String alert(String status, Label label, String severity, String fingerprint, String startsAt) {
    return alert(status, "\"opsagent_deployment_id\":\"" + label.id() + "\"", severity, fingerprint, startsAt,
        "0001-01-01T00:00:00Z");
  }

  private static String alert(String status, String target, String severity, String fingerprint, String startsAt,
      String endsAt) {
    return """
        {"status":"%s","labels":{"alertname":"HighLatency",%s,"severity":"%s","instance":"10.0.0.7:8080"},
         "annotations":{"summary":"checkout p99 above 2s","description":"p99 latency is 2.4s for 5m"},
         "startsAt":"%s","endsAt":"%s",
         "generatorURL":"http://prometheus.example:9090/graph?g0.expr=histogram_quantile",
         "fingerprint":"%s"}""".formatted(status, target, severity, startsAt, endsAt, fingerprint);
  }

  /** Alertmanager's webhook payload (version 4) around {@code alerts}. */
  private static String payload(String status, String... alerts) {
    return """
        {"version":"4","groupKey":"{}:{alertname=\\"HighLatency\\"}","truncatedAlerts":0,"status":"%s",
         "receiver":"opsagent","groupLabels":{"alertname":"HighLatency"},"commonLabels":{"alertname":"HighLatency"},
         "commonAnnotations":{},"externalURL":"http://alertmanager.example:9093","alerts":[%s]}"""
        .formatted(status, String.join(",", alerts));
  }
}
