package io.opsagent.notify.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opsagent.config.Config;
import io.opsagent.notify.Alert;
import io.opsagent.notify.ChannelType;
import io.opsagent.notify.ChannelView;
import io.opsagent.notify.Delivery;
import io.opsagent.notify.DeliveryStatus;
import io.opsagent.notify.NotificationChannelRepository;
import io.opsagent.notify.Severity;
import io.opsagent.notify.TestReceiver;
import io.opsagent.support.Fixtures;
import io.opsagent.support.TestDatabase;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class DeliveryNotifierTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static TestDatabase db;
  static Fixtures fx;
  static NotificationChannelRepository channels;
  static NotificationRepository log;

  @BeforeAll
  static void setUp() {
    db = TestDatabase.create(DeliveryNotifierTest.class);
    fx = new Fixtures(db.database());
    channels = new NotificationChannelRepository(db.database().jdbi(), true, Clock.systemUTC());
    log = new NotificationRepository(db.database().jdbi(), Clock.systemUTC());
  }

  @AfterAll
  static void tearDown() {
    db.close();
  }

  /** Tiny backoff and poll interval so retries happen within a test. */
  static Config config(int maxAttempts, boolean allowPrivate) {
    Map<String, String> env = new HashMap<>();
    env.put("OPSAGENT_ALLOW_PRIVATE_WEBHOOKS", String.valueOf(allowPrivate));
    env.put("OPSAGENT_NOTIFY_MAX_ATTEMPTS", String.valueOf(maxAttempts));
    env.put("OPSAGENT_NOTIFY_BACKOFF", "PT0.05S");
    env.put("OPSAGENT_POLL_INTERVAL", "PT0.05S");
    return Config.fromEnv(env);
  }

  static DeliveryNotifier notifier(Config config, SimpleMeterRegistry meters) {
    DeliveryNotifier n = new DeliveryNotifier(db.database(), channels, log, config.notifications(), config.paging(), config.scheduling(), meters, Clock.systemUTC());
    n.start();
    return n;
  }

  /** What a process that recorded the alert and stopped before delivering it left behind. */
  static List<String> recordedByAStoppedProcess(Alert alert) {
    try (DeliveryNotifier stopped = new DeliveryNotifier(db.database(), channels, log, config(3, true).notifications(), config(3, true).paging(), config(3, true).scheduling(),
        new SimpleMeterRegistry(), Clock.systemUTC())) {
      return stopped.send(alert);
    }
  }

  static ObjectNode webhook(String url, String secret) {
    ObjectNode o = JSON.createObjectNode().put("url", url);
    return secret == null ? o : o.put("secret", secret);
  }

  static String title(TestReceiver.Request r) {
    try {
      return JSON.readTree(r.body()).get("title").asText();
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static Delivery awaitFinal(String tenantId, String deliveryId) {
    await().atMost(Duration.ofSeconds(20)).until(
        () -> log.find(tenantId, deliveryId).orElseThrow().status() != DeliveryStatus.PENDING);
    return log.find(tenantId, deliveryId).orElseThrow();
  }

  @Test
  void aSignedWebhookReceivesTheContractPayloadWithAVerifiableSignature() throws Exception {
    var t = fx.tenant("acme").workspace("web");
    String ws = t.lastWorkspace().id();
    try (TestReceiver receiver = TestReceiver.answering();
        DeliveryNotifier notifier = notifier(config(3, true), new SimpleMeterRegistry())) {
      channels.create(t.id(), ws, ChannelType.WEBHOOK, "hook", webhook(receiver.url("/hook"), "topsecret"));

      String id = notifier.send(new Alert(t.id(), ws, Severity.CRITICAL, "api is down", "FAILED since 10:00", "run-1")).get(0);
      Delivery d = awaitFinal(t.id(), id);

      assertThat(d.status()).isEqualTo(DeliveryStatus.DELIVERED);
      assertThat(d.attempts()).isEqualTo(1);
      assertThat(d.deliveredAt()).isNotNull();
      TestReceiver.Request r = receiver.requests().get(0);
      JsonNode body = JSON.readTree(r.body());
      assertThat(JSON.convertValue(body, Map.class)).containsOnlyKeys(
          "tenantId", "workspaceId", "severity", "title", "body", "runId", "status", "by", "source", "createdAt");
      assertThat(body.get("by").asText()).as("an alert sent by code, not a model's sendAlert").isEqualTo("code");
      assertThat(body.get("tenantId").asText()).isEqualTo(t.id());
      assertThat(body.get("workspaceId").asText()).isEqualTo(ws);
      assertThat(body.get("severity").asText()).isEqualTo("critical");
      assertThat(body.get("title").asText()).isEqualTo("api is down");
      assertThat(body.get("body").asText()).isEqualTo("FAILED since 10:00");
      assertThat(body.get("runId").asText()).isEqualTo("run-1");
      assertThat(body.get("source").asText()).isEqualTo("opsagent");
      assertThat(body.get("createdAt").asText()).isEqualTo(d.createdAt().toString());
      assertThat(r.header("Content-Type")).isEqualTo("application/json");
      javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
      mac.init(new javax.crypto.spec.SecretKeySpec("topsecret".getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      assertThat(r.header("X-Opsagent-Signature"))
          .isEqualTo("sha256=" + java.util.HexFormat.of().formatHex(mac.doFinal(r.body())));
    }
  }

  @Test
  void aWebhookWithoutSecretIsNotSigned() throws Exception {
    var t = fx.tenant("plain");
    try (TestReceiver receiver = TestReceiver.answering();
        DeliveryNotifier notifier = notifier(config(3, true), new SimpleMeterRegistry())) {
      channels.create(t.id(), null, ChannelType.WEBHOOK, "hook", webhook(receiver.url("/h"), null));

      awaitFinal(t.id(), notifier.send(new Alert(t.id(), null, Severity.INFO, "t", "b", null)).get(0));

      assertThat(receiver.requests()).singleElement()
          .satisfies(r -> assertThat(r.header("X-Opsagent-Signature")).isNull());
    }
  }

  @Test
  void aReceiverThatFailsTwiceGetsTheAlertExactlyOnceOnTheThirdAttempt() throws Exception {
    var t = fx.tenant("flaky");
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    try (TestReceiver receiver = TestReceiver.answering(500, 502);
        DeliveryNotifier notifier = notifier(config(5, true), meters)) {
      channels.create(t.id(), null, ChannelType.WEBHOOK, "hook", webhook(receiver.url("/h"), null));

      String id = notifier.send(new Alert(t.id(), null, Severity.WARNING, "disk", "90%", null)).get(0);
      Delivery d = awaitFinal(t.id(), id);

      assertThat(d.status()).isEqualTo(DeliveryStatus.DELIVERED);
      assertThat(d.attempts()).isEqualTo(3);
      assertThat(d.lastError()).isNull();
      assertThat(receiver.requests()).hasSize(3);
      assertThat(receiver.successes()).isEqualTo(1);
      assertThat(meters.counter("opsagent.notifications.deliveries", "status", "retry", "type", "webhook").count())
          .isEqualTo(2);
      assertThat(meters.counter("opsagent.notifications.deliveries", "status", "delivered", "type", "webhook").count())
          .isEqualTo(1);
    }
  }

  @Test
  void aReceiverThatAlwaysFailsEndsFailedAfterTheMaximumAttemptsWithTheLastError() throws Exception {
    var t = fx.tenant("down");
    try (TestReceiver receiver = TestReceiver.alwaysFailing(503);
        DeliveryNotifier notifier = notifier(config(3, true), new SimpleMeterRegistry())) {
      channels.create(t.id(), null, ChannelType.WEBHOOK, "hook", webhook(receiver.url("/h"), null));

      Delivery d = awaitFinal(t.id(), notifier.send(new Alert(t.id(), null, Severity.CRITICAL, "x", "y", null)).get(0));

      assertThat(d.status()).isEqualTo(DeliveryStatus.FAILED);
      assertThat(d.attempts()).isEqualTo(3);
      assertThat(d.lastError()).isEqualTo("receiver answered HTTP 503");
      assertThat(receiver.requests()).hasSize(3);
    }
  }

  @Test
  void aChannelWhoseHostIsNowPrivateIsRefusedAtDelivery() throws Exception {
    var t = fx.tenant("rebound");
    try (TestReceiver receiver = TestReceiver.answering();
        DeliveryNotifier notifier = notifier(config(1, false), new SimpleMeterRegistry())) {
      channels.create(t.id(), null, ChannelType.WEBHOOK, "hook", webhook(receiver.url("/h"), null));

      Delivery d = awaitFinal(t.id(), notifier.send(new Alert(t.id(), null, Severity.INFO, "x", "y", null)).get(0));

      assertThat(d.status()).isEqualTo(DeliveryStatus.FAILED);
      assertThat(d.lastError()).contains("refused").contains("loopback");
      assertThat(receiver.requests()).isEmpty();
    }
  }

  @Test
  void pendingDeliveriesLeftByAPreviousProcessAreDeliveredAtStart() throws Exception {
    var t = fx.tenant("restart");
    try (TestReceiver receiver = TestReceiver.answering()) {
      channels.create(t.id(), null, ChannelType.WEBHOOK, "hook", webhook(receiver.url("/h"), null));
      String id = recordedByAStoppedProcess(
          new Alert(t.id(), null, Severity.CRITICAL, "before restart", "b", null)).get(0);

      try (DeliveryNotifier restarted = notifier(config(3, true), new SimpleMeterRegistry())) {
        assertThat(awaitFinal(t.id(), id).status()).isEqualTo(DeliveryStatus.DELIVERED);
      }
      assertThat(receiver.requests()).hasSize(1);
    }
  }

  @Test
  void anAlertReachesItsWorkspaceAndTheTenantWideChannelsOnly() throws Exception {
    var t = fx.tenant("routing").workspace("w1");
    String w1 = t.lastWorkspace().id();
    String w2 = t.workspace("w2").lastWorkspace().id();
    var other = fx.tenant("other").workspace("ow");
    try (TestReceiver receiver = TestReceiver.answering();
        DeliveryNotifier notifier = notifier(config(3, true), new SimpleMeterRegistry())) {
      ChannelView ofW1 = channels.create(t.id(), w1, ChannelType.WEBHOOK, "w1", webhook(receiver.url("/w1"), null));
      ChannelView wide = channels.create(t.id(), null, ChannelType.WEBHOOK, "wide", webhook(receiver.url("/wide"), null));
      channels.create(t.id(), w2, ChannelType.WEBHOOK, "w2", webhook(receiver.url("/w2"), null));
      channels.create(other.id(), null, ChannelType.WEBHOOK, "o", webhook(receiver.url("/other-wide"), null));
      channels.create(other.id(), other.lastWorkspace().id(), ChannelType.WEBHOOK, "ow", webhook(receiver.url("/other-ws"), null));
      ChannelView disabled = channels.create(t.id(), w1, ChannelType.WEBHOOK, "off", webhook(receiver.url("/off"), null));
      channels.setEnabled(t.id(), disabled.id(), false);

      List<String> ids = notifier.send(new Alert(t.id(), w1, Severity.WARNING, "for w1", "b", null));
      ids.forEach(id -> awaitFinal(t.id(), id));

      assertThat(ids).hasSize(2);
      assertThat(log.listByTenant(t.id(), 10)).extracting(Delivery::channelId)
          .containsExactlyInAnyOrder(ofW1.id(), wide.id());
      assertThat(receiver.requests()).extracting(TestReceiver.Request::path)
          .containsExactlyInAnyOrder("/w1", "/wide");
      assertThat(log.listByTenant(other.id(), 10)).isEmpty();
    }
  }

  @Test
  void aSlackChannelReceivesTextAndBlocks() throws Exception {
    var t = fx.tenant("slacky");
    try (TestReceiver receiver = TestReceiver.answering();
        DeliveryNotifier notifier = notifier(config(3, true), new SimpleMeterRegistry())) {
      channels.create(t.id(), null, ChannelType.SLACK, "slack", JSON.createObjectNode().put("url", receiver.url("/services/x")));

      awaitFinal(t.id(), notifier.send(new Alert(t.id(), null, Severity.CRITICAL, "db down", "no answer", null)).get(0));

      JsonNode body = JSON.readTree(receiver.requests().get(0).body());
      assertThat(body.get("text").asText()).contains("db down").contains("no answer");
      assertThat(body.get("blocks").isArray()).isTrue();
      assertThat(body.get("blocks").get(0).get("type").asText()).isEqualTo("header");
    }
  }

  @Test
  void secretsNeverReachTheLogsWhileDeliveringAndRetrying() throws Exception {
    var t = fx.tenant("logs");
    String token = "T0KEN" + java.util.UUID.randomUUID().toString().replace("-", "");
    String secret = "s3cr3t" + java.util.UUID.randomUUID().toString().replace("-", "");
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    root.addAppender(appender);
    try (TestReceiver receiver = TestReceiver.answering(500);
        DeliveryNotifier notifier = notifier(config(2, true), new SimpleMeterRegistry())) {
      channels.create(t.id(), null, ChannelType.WEBHOOK, "signed", webhook(receiver.url("/hooks/" + token), secret));
      channels.create(t.id(), null, ChannelType.SLACK, "unreachable",
          JSON.createObjectNode().put("url", "http://127.0.0.1:" + closedPort + "/services/" + token));

      List<String> ids = notifier.send(new Alert(t.id(), null, Severity.CRITICAL, "x", "y", null));
      List<Delivery> finals = ids.stream().map(id -> awaitFinal(t.id(), id)).toList();

      assertThat(finals).extracting(Delivery::status)
          .containsExactlyInAnyOrder(DeliveryStatus.DELIVERED, DeliveryStatus.FAILED);
      assertThat(appender.list).isNotEmpty();
      for (ILoggingEvent e : appender.list) {
        String line = e.getFormattedMessage()
            + (e.getThrowableProxy() == null ? "" : ThrowableProxyUtil.asString(e.getThrowableProxy()));
        assertThat(line).doesNotContain(token).doesNotContain(secret);
      }
      assertThat(finals).extracting(Delivery::lastError).allSatisfy(
          err -> assertThat(String.valueOf(err)).doesNotContain(token).doesNotContain(secret));
    } finally {
      root.detachAppender(appender);
    }
  }

  @Test
  void twoProcessesSharingTheLogDeliverEachRowExactlyOnce() throws Exception {
    var t = fx.tenant("cluster");
    try (TestReceiver receiver = TestReceiver.answering()) {
      channels.create(t.id(), null, ChannelType.WEBHOOK, "hook", webhook(receiver.url("/h"), null));
      List<String> ids = new java.util.ArrayList<>();
      for (int i = 0; i < 20; i++) {
        ids.addAll(recordedByAStoppedProcess(new Alert(t.id(), null, Severity.INFO, "alert-" + i, "b", null)));
      }

      try (DeliveryNotifier first = notifier(config(3, true), new SimpleMeterRegistry());
          DeliveryNotifier second = notifier(config(3, true), new SimpleMeterRegistry())) {
        ids.forEach(id -> assertThat(awaitFinal(t.id(), id).status()).isEqualTo(DeliveryStatus.DELIVERED));
      }

      List<String> titles = receiver.requests().stream()
          .map(DeliveryNotifierTest::title)
          .toList();
      assertThat(titles).hasSize(20).doesNotHaveDuplicates();
    }
  }

  @Test
  void anAlertForAnotherTenantsWorkspaceIsRefusedAndRecordsNothing() {
    var a = fx.tenant("a");
    var b = fx.tenant("b").workspace("wb");
    channels.create(a.id(), null, ChannelType.EMAIL, "mail", JSON.createObjectNode().put("to", "a@example.com"));

    try (DeliveryNotifier notifier = new DeliveryNotifier(db.database(), channels, log, config(1, true).notifications(), config(1, true).paging(), config(1, true).scheduling(), new SimpleMeterRegistry(), Clock.systemUTC())) {
      assertThatThrownBy(() -> notifier.send(
          new Alert(a.id(), b.lastWorkspace().id(), Severity.CRITICAL, "x", "y", null)))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not found");
    }
    assertThat(log.listByTenant(a.id(), 10)).isEmpty();
  }
}
