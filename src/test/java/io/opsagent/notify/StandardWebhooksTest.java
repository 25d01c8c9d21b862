package io.opsagent.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opsagent.config.Config;
import io.opsagent.notify.delivery.DeliveryNotifier;
import io.opsagent.notify.delivery.NotificationRepository;
import io.opsagent.platform.Deployment;
import io.opsagent.platform.DeploymentStatus;
import io.opsagent.support.Fixtures;
import io.opsagent.support.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Webhook receivers can verify and de-duplicate deliveries the Standard Webhooks way. The receiver
 * side here is written from the specification (https://www.standardwebhooks.com), not from our code.
 */
class StandardWebhooksTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static TestDatabase db;
  static Fixtures fx;
  static NotificationChannelRepository channels;
  static NotificationRepository log;

  @BeforeAll
  static void setUp() {
    db = TestDatabase.create(StandardWebhooksTest.class);
    fx = new Fixtures(db.database());
    channels = new NotificationChannelRepository(db.database().jdbi(), true, Clock.systemUTC());
    log = new NotificationRepository(db.database().jdbi(), Clock.systemUTC());
  }

  @AfterAll
  static void tearDown() {
    db.close();
  }

  static DeliveryNotifier notifier() {
    DeliveryNotifier n = new DeliveryNotifier(db.database(), channels, log, Config.fromEnv(Map.of(
        "OPSAGENT_ALLOW_PRIVATE_WEBHOOKS", "true",
        "OPSAGENT_NOTIFY_MAX_ATTEMPTS", "3",
        "OPSAGENT_NOTIFY_BACKOFF", "PT0.05S",
        "OPSAGENT_POLL_INTERVAL", "PT0.05S")).notifications(), Config.fromEnv(Map.of(
        "OPSAGENT_ALLOW_PRIVATE_WEBHOOKS", "true",
        "OPSAGENT_NOTIFY_MAX_ATTEMPTS", "3",
        "OPSAGENT_NOTIFY_BACKOFF", "PT0.05S",
        "OPSAGENT_POLL_INTERVAL", "PT0.05S")).paging(), Config.fromEnv(Map.of(
        "OPSAGENT_ALLOW_PRIVATE_WEBHOOKS", "true",
        "OPSAGENT_NOTIFY_MAX_ATTEMPTS", "3",
        "OPSAGENT_NOTIFY_BACKOFF", "PT0.05S",
        "OPSAGENT_POLL_INTERVAL", "PT0.05S")).scheduling(), new SimpleMeterRegistry(), Clock.systemUTC());
    n.start();
    return n;
  }

  static Delivery awaitFinal(String tenantId, String id) {
    await().atMost(Duration.ofSeconds(20)).until(
        () -> log.find(tenantId, id).orElseThrow().status() != DeliveryStatus.PENDING);
    return log.find(tenantId, id).orElseThrow();
  }

  // ---- the receiver's side, from the Standard Webhooks specification ----

  /** The signing key: the secret's bytes, or the base64-decoded part after {@code whsec_}. */
  static byte[] receiverKey(String secret) {
    return secret.startsWith("whsec_")
        ? Base64.getDecoder().decode(secret.substring(6))
        : secret.getBytes(StandardCharsets.UTF_8);
  }

  /** True when one of the space-separated {@code v1,<base64>} signatures matches "{id}.{timestamp}.{body}". */
  static boolean receiverVerifies(TestReceiver.Request r, String secret) throws Exception {
    String id = r.header("webhook-id");
    String timestamp = r.header("webhook-timestamp");
    String signatures = r.header("webhook-signature");
    if (id == null || timestamp == null || signatures == null) {
      return false;
    }
    long age = Math.abs(Instant.now().getEpochSecond() - Long.parseLong(timestamp));
    if (age > 5 * 60) { // the specification's replay tolerance
      return false;
    }
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(receiverKey(secret), "HmacSHA256"));
    mac.update((id + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8));
    byte[] expected = mac.doFinal(r.body());
    for (String sig : signatures.split(" ")) {
      if (sig.startsWith("v1,")
          && MessageDigest.isEqual(expected, Base64.getDecoder().decode(sig.substring(3)))) {
        return true;
      }
    }
    return false;
  }

  static ObjectNode webhook(String url, String secret) {
    return JSON.createObjectNode().put("url", url).put("secret", secret);
  }

  @Test
  void aRetriedDeliveryKeepsItsWebhookIdAndEveryAttemptIsSignedForTheReceiverToVerify() throws Exception {
    var t = fx.tenant("standard").workspace("web");
    Deployment api = t.deploy("api", DeploymentStatus.FAILED, "1.0");
    String secret = "a plain shared secret";
    try (TestReceiver receiver = TestReceiver.answering(503);
        DeliveryNotifier notifier = notifier()) {
      channels.create(t.id(), null, ChannelType.WEBHOOK, "hook", webhook(receiver.url("/hook"), secret));

      String id = notifier.send(new Alert(t.id(), api.workspaceId(), Severity.CRITICAL, "api is down",
          "FAILED since 10:00", "run-1", api.id())).get(0);
      Delivery d = awaitFinal(t.id(), id);

      assertThat(d.status()).isEqualTo(DeliveryStatus.DELIVERED);
      assertThat(d.deploymentId()).isEqualTo(api.id());
      List<TestReceiver.Request> attempts = receiver.requests();
      assertThat(attempts).extracting(TestReceiver.Request::answered).containsExactly(503, 200);
      assertThat(attempts).extracting(r -> r.header("webhook-id")).containsExactly(id, id);
      for (TestReceiver.Request r : attempts) {
        assertThat(receiverVerifies(r, secret)).as("signature of attempt answered %d", r.answered()).isTrue();
        assertThat(receiverVerifies(r, "another secret")).isFalse();
        JsonNode body = r.payload();
        assertThat(body.get("deploymentId").asText()).isEqualTo(api.id());
        assertThat(body.get("status").asText()).isEqualTo("firing");
        assertThat(body.get("title").asText()).isEqualTo("api is down");
      }
    }
  }

  @Test
  void aWhsecSecretSignsWithTheKeyItsBase64PartDecodesTo() throws Exception {
    var t = fx.tenant("whsec");
    byte[] key = new byte[24];
    new SecureRandom().nextBytes(key);
    String secret = "whsec_" + Base64.getEncoder().encodeToString(key);
    try (TestReceiver receiver = TestReceiver.answering();
        DeliveryNotifier notifier = notifier()) {
      channels.create(t.id(), null, ChannelType.WEBHOOK, "hook", webhook(receiver.url("/hook"), secret));

      awaitFinal(t.id(), notifier.send(new Alert(t.id(), null, Severity.INFO, "x", "y", null)).get(0));

      TestReceiver.Request r = receiver.requests().get(0);
      assertThat(receiverVerifies(r, secret)).isTrue();
      // not keyed by the secret's text, which a receiver following the specification would not use
      Mac byText = Mac.getInstance("HmacSHA256");
      byText.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      byText.update((r.header("webhook-id") + "." + r.header("webhook-timestamp") + ".")
          .getBytes(StandardCharsets.UTF_8));
      assertThat(r.header("webhook-signature"))
          .isNotEqualTo("v1," + Base64.getEncoder().encodeToString(byText.doFinal(r.body())));
      // receivers of the first format still verify theirs, keyed by the secret's text
      Mac legacy = Mac.getInstance("HmacSHA256");
      legacy.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      assertThat(r.header("X-Opsagent-Signature"))
          .isEqualTo("sha256=" + java.util.HexFormat.of().formatHex(legacy.doFinal(r.body())));
      assertThat(r.payload().has("deploymentId")).as("no deployment concerned").isFalse();
    }
  }

  @Test
  void anUnsignedWebhookStillCarriesItsIdAndTimestamp() throws Exception {
    var t = fx.tenant("unsigned");
    try (TestReceiver receiver = TestReceiver.answering();
        DeliveryNotifier notifier = notifier()) {
      channels.create(t.id(), null, ChannelType.WEBHOOK, "hook",
          JSON.createObjectNode().put("url", receiver.url("/hook")));

      String id = notifier.send(new Alert(t.id(), null, Severity.INFO, "x", "y", null)).get(0);
      awaitFinal(t.id(), id);

      TestReceiver.Request r = receiver.requests().get(0);
      assertThat(r.header("webhook-id")).isEqualTo(id);
      assertThat(Long.parseLong(r.header("webhook-timestamp")))
          .isBetween(Instant.now().getEpochSecond() - 300, Instant.now().getEpochSecond() + 300);
      assertThat(r.header("webhook-signature")).isNull();
      assertThat(r.header("X-Opsagent-Signature")).isNull();
    }
  }

  @Test
  void aWhsecSecretWhoseKeyIsNotBase64IsRefusedWhenTheChannelIsCreated() {
    var t = fx.tenant("badsecret");
    assertThatThrownBy(() -> channels.create(t.id(), null, ChannelType.WEBHOOK, "hook",
            webhook("https://hooks.example.com/x", "whsec_not base64!")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("config.secret")
        .hasMessageNotContaining("not base64!");
  }
}
