package io.opsagent.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opsagent.config.Config;
import io.opsagent.notify.delivery.DeliveryNotifier;
import io.opsagent.notify.delivery.NotificationRepository;
import io.opsagent.support.Fixtures;
import io.opsagent.support.TestDatabase;
import jakarta.mail.Message;
import jakarta.mail.internet.MimeMessage;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class EmailDeliveryTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static TestDatabase db;
  static Fixtures fx;
  static GreenMail smtp;
  static NotificationChannelRepository channels;
  static NotificationRepository log;

  @BeforeAll
  static void setUp() {
    db = TestDatabase.create(EmailDeliveryTest.class);
    fx = new Fixtures(db.database());
    smtp = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP).dynamicPort());
    smtp.start();
    channels = new NotificationChannelRepository(db.database().jdbi(), false, Clock.systemUTC());
    log = new NotificationRepository(db.database().jdbi(), Clock.systemUTC());
  }

  @AfterAll
  static void tearDown() {
    smtp.stop();
    db.close();
  }

  static DeliveryNotifier started(DeliveryNotifier notifier) {
    notifier.start();
    return notifier;
  }

  static Delivery awaitFinal(String tenantId, String id) {
    await().atMost(Duration.ofSeconds(20)).until(
        () -> log.find(tenantId, id).orElseThrow().status() != DeliveryStatus.PENDING);
    return log.find(tenantId, id).orElseThrow();
  }

  @Test
  void anEmailChannelReceivesAPlainTextMailWithSubjectAndBody() throws Exception {
    var t = fx.tenant("mailed");
    String to = "oncall-" + t.id().substring(0, 8) + "@example.com";
    channels.create(t.id(), null, ChannelType.EMAIL, "oncall", JSON.createObjectNode().put("to", to));
    Config config = Config.fromEnv(Map.of(
        "OPSAGENT_SMTP_HOST", "127.0.0.1",
        "OPSAGENT_SMTP_PORT", String.valueOf(smtp.getSmtp().getPort()),
        "OPSAGENT_SMTP_FROM", "opsagent@example.com"));

    try (DeliveryNotifier notifier = started(new DeliveryNotifier(db.database(), channels, log, config.notifications(), config.paging(), config.scheduling(),
        new SimpleMeterRegistry(), Clock.systemUTC()))) {
      String id = notifier.send(new Alert(t.id(), null, Severity.CRITICAL, "api is down", "FAILED since 10:00", null)).get(0);

      assertThat(awaitFinal(t.id(), id).status()).isEqualTo(DeliveryStatus.DELIVERED);
    }
    MimeMessage mail = java.util.Arrays.stream(smtp.getReceivedMessagesForDomain("example.com"))
        .filter(m -> {
          try {
            return m.getRecipients(Message.RecipientType.TO)[0].toString().equals(to);
          } catch (jakarta.mail.MessagingException e) {
            throw new IllegalStateException(e);
          }
        })
        .findFirst().orElseThrow();
    assertThat(mail.getSubject()).isEqualTo("[opsagent] [CRITICAL] api is down");
    assertThat(mail.getFrom()[0].toString()).isEqualTo("opsagent@example.com");
    assertThat(mail.getContentType()).startsWith("text/plain");
    assertThat(GreenMailUtil.getBody(mail)).contains("FAILED since 10:00");
  }

  @Test
  void withoutAnSmtpHostAnEmailAttemptFailsWithAClearError() {
    var t = fx.tenant("nosmtp");
    channels.create(t.id(), null, ChannelType.EMAIL, "oncall", JSON.createObjectNode().put("to", "a@example.com"));
    Config config = Config.fromEnv(Map.of("OPSAGENT_NOTIFY_MAX_ATTEMPTS", "1"));

    try (DeliveryNotifier notifier = started(new DeliveryNotifier(db.database(), channels, log, config.notifications(), config.paging(), config.scheduling(),
        new SimpleMeterRegistry(), Clock.systemUTC()))) {
      String id = notifier.send(new Alert(t.id(), null, Severity.INFO, "x", "y", null)).get(0);

      Delivery d = awaitFinal(t.id(), id);
      assertThat(d.status()).isEqualTo(DeliveryStatus.FAILED);
      assertThat(d.lastError()).contains("no SMTP host configured");
    }
  }
}
