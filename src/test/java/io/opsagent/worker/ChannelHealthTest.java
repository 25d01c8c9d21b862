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
 * A channel whose deliveries failed for 60 s in a row is {@code failing} (API and
 * {@code opsagent_channels_failing}) until one succeeds; a page whose every channel is failing also
 * goes to the tenant's other channels that are not — the page already on its way and a new one —
 * and never to another tenant's; {@code opsagent_incidents_unpaged} and
 * {@code opsagent_tenants_unpageable} count what the API shows.
 *
 * <p>One worker, a model that never alerts (pages are code's), the watchdog out of the way.
 */
class ChannelHealthTest {
  /** {@code ChannelHealth.FAILING_AFTER} (60 s, not configurable) and the retries around it, with room. */
  private static final Duration FAILING = Duration.ofSeconds(120);
  private static final Duration WAIT = Duration.ofSeconds(30);

  static TestDatabase db;
  static FakeMessagesApi model;
  static Worker worker;
  static ApiClient api;

  @BeforeAll
  static void startWorker() throws Exception {
    db = TestDatabase.create(ChannelHealthTest.class);
    model = FakeMessagesApi.start();
    model.otherwise(request -> model.text("All clear.", 800, 20));
    WorkerEnv env = new WorkerEnv(db, model, "PT1H")
        .with("OPSAGENT_NOTIFY_MAX_BACKOFF", "PT1S")
        .with("OPSAGENT_WATCHDOG_AFTER", "PT1H");
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

  private static String workspace(String tenant, String name) {
    return api.create("/api/tenants/" + tenant + "/workspaces", "{\"name\":\"" + name + "\"}");
  }

  private static String deployment(String workspace, String name) {
    return api.create("/api/workspaces/" + workspace + "/deployments", "{\"name\":\"" + name + "\"}");
  }

  private static String webhook(String tenant, String workspace, TestReceiver to, String path) {
    var r = api.post("/api/tenants/" + tenant + "/notification-channels",
        "{\"type\":\"webhook\",\"name\":\"" + path + "\",\"workspaceId\":\"" + workspace + "\","
            + "\"config\":{\"url\":\"" + to.url(path) + "\"}}");
    assertThat(r.status()).isEqualTo(201);
    assertThat(r.json().get("failing").asBoolean()).as("a new channel is not failing").isFalse();
    assertThat(r.json().has("lastError")).isFalse();
    return r.json().get("id").asText();
  }

  private static void fail(String deployment) {
    assertThat(api.post("/api/deployments/" + deployment + "/events",
        "{\"type\":\"crash\",\"status\":\"FAILED\"}").status()).isEqualTo(201);
  }

  private static JsonNode channel(String tenant, String id) {
    for (JsonNode c : api.get("/api/tenants/" + tenant + "/notification-channels").json()) {
      if (c.get("id").asText().equals(id)) {
        return c;
      }
    }
    throw new AssertionError("no channel " + id);
  }

  private static List<JsonNode> pagesAt(TestReceiver to, String path, String deployment) {
    return to.requests().stream().filter(r -> r.path().equals(path)).map(TestReceiver.Request::payload)
        .filter(p -> deployment.equals(p.path("deploymentId").asText()))
        .filter(p -> p.path("status").asText().equals("firing")).toList();
  }

  private static JsonNode incidentOf(String tenant, String deployment) {
    for (JsonNode i : api.get("/api/tenants/" + tenant + "/incidents?status=open").json()) {
      if (i.get("deploymentId").asText().equals(deployment)) {
        return i;
      }
    }
    throw new AssertionError("no open incident of " + deployment);
  }

  private static String scrape() {
    var r = new ApiClient(worker.httpPort(), null).get("/metrics");
    assertThat(r.status()).isEqualTo(200);
    return r.body();
  }

  private static double gauge(String name) {
    for (String line : scrape().split("\n")) {
      if (line.startsWith(name + " ")) {
        return Double.parseDouble(line.substring(name.length() + 1).trim());
      }
    }
    return -1;
  }

  @Test
  void aChannelFailingForAMinuteIsFailingUntilADeliverySucceedsAndItsPagesGoToTheTenantsOtherChannels()
      throws Exception {
    try (TestReceiver down = TestReceiver.alwaysFailing(503); TestReceiver up = TestReceiver.answering()) {
      String acme = api.create("/api/tenants", "{\"name\":\"acme\"}");
      String prod = workspace(acme, "prod");
      String staging = workspace(acme, "staging");
      String prodHook = webhook(acme, prod, down, "/acme/prod");
      String stagingHook = webhook(acme, staging, up, "/acme/staging");
      String web = deployment(prod, "web");
      String api2 = deployment(prod, "api");
      // another tenant whose only channel is down too: nothing else of it to fall back to
      String lone = api.create("/api/tenants", "{\"name\":\"lone\"}");
      String loneWs = workspace(lone, "prod");
      String loneHook = webhook(lone, loneWs, down, "/lone/prod");
      String loneApp = deployment(loneWs, "shop");

      double unpaged = gauge("opsagent_incidents_unpaged");
      fail(web);
      fail(loneApp);
      await().atMost(WAIT).until(() -> !pagesAt(down, "/acme/prod", web).isEmpty()
          && !pagesAt(down, "/lone/prod", loneApp).isEmpty());
      await().atMost(WAIT).until(() -> gauge("opsagent_incidents_unpaged") == unpaged + 2);

      // a minute of failed attempts: the channel is failing, with its error and without its URL
      JsonNode failing = await().atMost(FAILING).until(() -> channel(acme, prodHook),
          c -> c.get("failing").asBoolean());
      assertThat(failing.get("lastError").asText()).contains("receiver answered HTTP 503").doesNotContain("/acme/prod")
          .doesNotContain("127.0.0.1");
      assertThat(channel(acme, stagingHook).get("failing").asBoolean()).isFalse();
      assertThat(channel(acme, stagingHook).has("lastError")).isFalse();
      await().atMost(FAILING).until(() -> channel(lone, loneHook).get("failing").asBoolean());
      assertThat(gauge("opsagent_channels_failing")).isEqualTo(2.0);

      // the page on its way also goes to the tenant's other workspace, and pages the incident
      JsonNode escalated = await().atMost(WAIT).until(() -> pagesAt(up, "/acme/staging", web), p -> !p.isEmpty())
          .get(0);
      assertThat(escalated.get("incidentKey").asText()).isEqualTo(acme + ":" + web + ":failed");
      assertThat(escalated.get("workspaceId").asText()).as("it is still the prod workspace's page").isEqualTo(prod);
      await().atMost(WAIT).until(() -> incidentOf(acme, web).get("pageStatus").asText().equals("paged"));
      // the other tenant has nowhere else: its page stays on its failing channel, never on acme's
      assertThat(incidentOf(lone, loneApp).get("pageStatus").asText()).isEqualTo("unpaged");
      assertThat(up.requests()).noneMatch(r -> r.payload().path("tenantId").asText().equals(lone));
      await().atMost(WAIT).until(() -> gauge("opsagent_incidents_unpaged") == unpaged + 1);

      // a new page of a workspace whose channels are all failing goes to the other channels at once
      fail(api2);
      await().atMost(WAIT).until(() -> !pagesAt(up, "/acme/staging", api2).isEmpty());
      assertThat(pagesAt(up, "/acme/staging", web)).as("the first page went there once").hasSize(1);

      // the receiver is back: the next delivery to each channel succeeds and it is not failing any more
      down.answerFromNow(200);
      JsonNode healthy = await().atMost(WAIT).until(() -> channel(acme, prodHook), c -> !c.get("failing").asBoolean());
      assertThat(healthy.has("lastError")).isFalse();
      await().atMost(WAIT).until(() -> !channel(lone, loneHook).get("failing").asBoolean());
      await().atMost(WAIT).until(() -> incidentOf(lone, loneApp).get("pageStatus").asText().equals("paged"));
      await().atMost(WAIT).until(() -> gauge("opsagent_channels_failing") == 0.0
          && gauge("opsagent_incidents_unpaged") == unpaged);
    }
  }

  @Test
  void aTenantWithAFailedDeploymentAndNoChannelIsCountedUnpageableUntilItHasOne() throws Exception {
    try (TestReceiver receiver = TestReceiver.answering()) {
      double before = gauge("opsagent_tenants_unpageable");
      assertThat(before).as("registered at start").isGreaterThanOrEqualTo(0.0);
      String silent = api.create("/api/tenants", "{\"name\":\"silent\"}");
      String ws = workspace(silent, "prod");
      fail(deployment(ws, "db"));
      await().atMost(WAIT).until(() -> api.get("/api/tenants/" + silent).json().get("unpageable").asBoolean());
      assertThat(gauge("opsagent_tenants_unpageable")).isEqualTo(before + 1);

      webhook(silent, ws, receiver, "/silent");
      assertThat(api.get("/api/tenants/" + silent).json().get("unpageable").asBoolean()).isFalse();
      assertThat(gauge("opsagent_tenants_unpageable")).isEqualTo(before);
    }
  }
}
