package io.opsagent.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opsagent.Json;
import io.opsagent.agent.cycle.ContextBuilder;
import io.opsagent.agent.cycle.StateGatherer;
import io.opsagent.api.ApiClient;
import io.opsagent.api.ApiServer;
import io.opsagent.api.routes.ChannelRoutes;
import io.opsagent.config.Config;
import io.opsagent.db.SecretBox;
import io.opsagent.incident.Incident;
import io.opsagent.incident.Incidents;
import io.opsagent.notify.delivery.DeliveryNotifier;
import io.opsagent.notify.delivery.NotificationRepository;
import io.opsagent.platform.Deployment;
import io.opsagent.platform.DeploymentStatus;
import io.opsagent.support.Fixtures;
import io.opsagent.support.SettableClock;
import io.opsagent.support.TestDatabase;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * A PagerDuty channel against a local fake of the Events API v2: an incident's page triggers one
 * PagerDuty alert keyed by the incident, acknowledging it in opsagent acknowledges it there and its
 * resolution resolves it; 429/5xx are retried, a refused event is given up with PagerDuty's reason;
 * the routing key is stored encrypted and shown nowhere.
 */
class PagerDutyChannelTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static TestDatabase db;
  static Fixtures fx;
  static NotificationChannelRepository channels;
  static NotificationRepository deliveries;
  static DeliveryNotifier notifier;
  static Incidents incidents;
  static FakePagerDuty pagerDuty;
  static TestReceiver webhook;

  @BeforeAll
  static void setUp() throws Exception {
    db = TestDatabase.create(PagerDutyChannelTest.class);
    fx = new Fixtures(db.database());
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    channels = new NotificationChannelRepository(db.database().jdbi(), true,
        Optional.of(new SecretBox(new SecretKeySpec(key, "AES"))), java.time.Clock.systemUTC());
    deliveries = new NotificationRepository(db.database().jdbi(), java.time.Clock.systemUTC());
    Config config = Config.fromEnv(Map.of(
        "OPSAGENT_ALLOW_PRIVATE_WEBHOOKS", "true", "OPSAGENT_POLL_INTERVAL", "PT0.05S",
        "OPSAGENT_NOTIFY_BACKOFF", "PT0.05S", "OPSAGENT_INCIDENT_REMINDER", "PT4H"));
    notifier = new DeliveryNotifier(db.database(), channels, deliveries, config.notifications(), config.paging(),
        config.scheduling(), new SimpleMeterRegistry(), java.time.Clock.systemUTC());
    notifier.start();
    incidents = io.opsagent.support.TestAgents.incidents(config, db.database().jdbi(), notifier,
        SettableClock.startingNow());
    pagerDuty = new FakePagerDuty();
    webhook = TestReceiver.answering();
  }

  @AfterAll
  static void tearDown() {
    notifier.close();
    pagerDuty.close();
    webhook.close();
    db.close();
  }

  @Test
  void anIncidentIsTriggeredAcknowledgedAndResolvedAsOnePagerDutyAlert() {
    var t = fx.tenant("lifecycle").workspace("prod");
    channels.create(t.id(), null, ChannelType.PAGERDUTY, "on-call", pagerDuty(newRoutingKey()));
    channels.create(t.id(), null, ChannelType.WEBHOOK, "hook",
        JSON.createObjectNode().put("url", webhook.url("/hooks/" + t.id())));
    Deployment d = t.deploy("checkout", DeploymentStatus.FAILED, "1.0");

    assertThat(incidents.page(d, DeploymentStatus.FAILED, null).paged()).isTrue();
    Incident incident = incidents.list(t.id(), Incident.Status.OPEN).get(0);
    FakePagerDuty.Event trigger = awaitAccepted(incident.incidentKey(), 1).get(0);

    assertThat(trigger.action()).isEqualTo("trigger");
    assertThat(trigger.dedupKey()).isEqualTo(incident.incidentKey());
    assertThat(trigger.body().path("payload").path("summary").asText()).contains("checkout").contains("FAILED");
    assertThat(trigger.body().path("payload").path("severity").asText()).isEqualTo("critical");
    assertThat(trigger.body().path("payload").path("source").asText()).isEqualTo("opsagent/" + t.id() + "/" + d.id());

    awaitAllDelivered(t.id());
    incidents.alert(new Alert(t.id(), d.workspaceId(), Severity.CRITICAL, "checkout crashes on start",
        "roll back to 0.9", "run-1", d.id(), null, Alert.FIRING, Alert.BY_MODEL));
    FakePagerDuty.Event update = awaitAccepted(incident.incidentKey(), 2).get(1);
    assertThat(update.action()).as("an update is a trigger PagerDuty dedups into the open alert").isEqualTo("trigger");
    assertThat(update.body().path("payload").path("summary").asText()).isEqualTo("[UPDATE] checkout crashes on start");
    awaitAllDelivered(t.id());
    incidents.acknowledge(t.id(), incident.id());
    incidents.acknowledge(t.id(), incident.id());
    assertThat(awaitAccepted(incident.incidentKey(), 3).get(2).action())
        .as("acknowledged once, however often it is acknowledged").isEqualTo("acknowledge");

    fx.deployments.recordEvent(d, "status", DeploymentStatus.RUNNING, null);
    assertThat(incidents.deploymentChanged(d.id())).hasSize(1);

    List<FakePagerDuty.Event> events = awaitAccepted(incident.incidentKey(), 4);
    assertThat(events).extracting(FakePagerDuty.Event::action)
        .containsExactly("trigger", "trigger", "acknowledge", "resolve");
    assertThat(events).extracting(FakePagerDuty.Event::dedupKey).containsOnly(incident.incidentKey());
    awaitAllDelivered(t.id());
    assertThat(webhook.requests().stream().filter(r -> r.path().equals("/hooks/" + t.id()))
        .map(r -> r.payload().get("status").asText()))
        .as("webhooks keep their three statuses: no acknowledged notice").containsExactly("firing", "update", "resolved");
  }

  @Test
  void rateLimitedAndFailingAnswersAreRetriedUntilPagerDutyTakesTheEvent() {
    var t = fx.tenant("retried").workspace("prod");
    channels.create(t.id(), null, ChannelType.PAGERDUTY, "on-call", pagerDuty(newRoutingKey()));
    Deployment d = t.deploy("api", DeploymentStatus.DEGRADED, "1.0");

    pagerDuty.answerNext(429, 503);
    incidents.page(d, DeploymentStatus.DEGRADED, null);
    String key = incidents.list(t.id(), Incident.Status.OPEN).get(0).incidentKey();

    Delivery delivered = awaitFinal(t.id());
    assertThat(delivered.status()).isEqualTo(DeliveryStatus.DELIVERED);
    assertThat(delivered.attempts()).isEqualTo(3);
    assertThat(pagerDuty.events().stream().filter(e -> e.dedupKey().equals(key)).map(FakePagerDuty.Event::answered))
        .containsExactly(429, 503, 202);
    assertThat(awaitAccepted(key, 1).get(0).body().path("payload").path("severity").asText()).isEqualTo("warning");
    assertThat(incidents.list(t.id(), Incident.Status.OPEN).get(0).pageStatus()).isEqualTo("paged");
  }

  @Test
  void aRefusedEventIsGivenUpAtOnceWithPagerDutysReasonAndTheKeyShowsNowhere() throws Exception {
    var t = fx.tenant("refused").workspace("prod");
    String badKey = "short-" + HexFormat.of().formatHex(new byte[4]) + System.nanoTime();
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    root.addAppender(appender);
    ApiServer api = new ApiServer("token", Json.MAPPER, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
        List.of(), List.of(new ChannelRoutes(Json.MAPPER, fx.tenants, fx.workspaces, channels))).start(0);
    try {
      ApiClient client = new ApiClient(api.port(), "token");
      ApiClient.Response created = client.post("/api/tenants/" + t.id() + "/notification-channels",
          JSON.createObjectNode().put("type", "pagerduty").put("name", "on-call")
              .set("config", pagerDuty(badKey)).toString());
      assertThat(created.status()).isEqualTo(201);
      Deployment d = t.deploy("db", DeploymentStatus.FAILED, "1.0");

      incidents.page(d, DeploymentStatus.FAILED, null);
      Delivery failed = awaitFinal(t.id());

      assertThat(failed.status()).isEqualTo(DeliveryStatus.FAILED);
      assertThat(failed.attempts()).as("a refused event is not retried").isEqualTo(1);
      assertThat(failed.lastError()).contains("HTTP 400").contains("Event object is invalid")
          .contains("routing_key").doesNotContain(badKey);
      ApiClient.Response listed = client.get("/api/tenants/" + t.id() + "/notification-channels");
      assertThat(listed.status()).isEqualTo(200);
      assertThat(listed.json().get(0).get("type").asText()).isEqualTo("pagerduty");
      assertThat(listed.body()).doesNotContain(badKey).doesNotContain(pagerDuty.url());
      assertThat(ContextBuilder.stateJson(io.opsagent.support.TestAgents.gatherer(db.database().jdbi()).gather(t.id()), "run"))
          .contains("pagerduty").doesNotContain(badKey);
      String stored = db.database().jdbi().withHandle(h -> h.createQuery(
              "SELECT config_json FROM notification_channels WHERE tenant_id = :t").bind("t", t.id())
          .mapTo(String.class).one());
      assertThat(stored).as("stored encrypted").startsWith("v1:").doesNotContain(badKey);
      for (ILoggingEvent e : appender.list) {
        String line = e.getFormattedMessage()
            + (e.getThrowableProxy() == null ? "" : ThrowableProxyUtil.asString(e.getThrowableProxy()));
        assertThat(line).doesNotContain(badKey);
      }
    } finally {
      api.close();
      root.detachAppender(appender);
    }
  }

  @Test
  void aChannelWithoutARoutingKeyIsRefusedNamingTheField() {
    String tenant = fx.tenant("no-key").id();

    assertThatThrownBy(() -> channels.create(tenant, null, ChannelType.PAGERDUTY, "x", JSON.createObjectNode()))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("config.routingKey is required");
    assertThatThrownBy(() -> channels.create(tenant, null, ChannelType.PAGERDUTY, "x",
        JSON.createObjectNode().put("routingKey", "has a space")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("config.routingKey")
        .hasMessageNotContaining("has a space");
    assertThat(ChannelType.fromWire("pagerduty")).isEqualTo(ChannelType.PAGERDUTY);
  }

  private static ObjectNode pagerDuty(String routingKey) {
    return JSON.createObjectNode().put("routingKey", routingKey).put("url", pagerDuty.url());
  }

  private static String newRoutingKey() {
    byte[] b = new byte[16];
    new SecureRandom().nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  private static List<FakePagerDuty.Event> awaitAccepted(String dedupKey, int n) {
    await().atMost(Duration.ofSeconds(20)).until(
        () -> pagerDuty.accepted().stream().filter(e -> e.dedupKey().equals(dedupKey)).count() >= n);
    return pagerDuty.accepted().stream().filter(e -> e.dedupKey().equals(dedupKey)).toList();
  }

  private static void awaitAllDelivered(String tenantId) {
    await().atMost(Duration.ofSeconds(20)).until(() -> deliveries.listByTenant(tenantId, 20).stream()
        .allMatch(x -> x.status() == DeliveryStatus.DELIVERED));
  }

  private static Delivery awaitFinal(String tenantId) {
    await().atMost(Duration.ofSeconds(20)).until(() -> deliveries.listByTenant(tenantId, 5).stream()
        .anyMatch(x -> x.status() != DeliveryStatus.PENDING));
    return deliveries.listByTenant(tenantId, 5).get(0);
  }
}
