package io.opsagent.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opsagent.config.Config;
import io.opsagent.db.Database;
import io.opsagent.notify.delivery.DeliveryNotifier;
import io.opsagent.notify.delivery.NotificationRepository;
import io.opsagent.support.Fixtures;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The same SQL runs on the embedded HSQLDB that {@code ./opsagent demo} uses. */
class EmbeddedDatabaseNotificationsTest {

  @Test
  void notificationsAreRecordedRetriedAndListedOnTheEmbeddedDatabase() throws Exception {
    String url = "jdbc:hsqldb:mem:notify" + UUID.randomUUID().toString().replace("-", "")
        + ";sql.syntax_pgs=true;hsqldb.tx=mvcc";
    try (Database db = Database.open(url, "", "", 4);
        TestReceiver receiver = TestReceiver.answering(500)) {
      db.migrate();
      var t = new Fixtures(db).tenant("embedded").workspace("w");
      var channels = new NotificationChannelRepository(db.jdbi(), true, Clock.systemUTC());
      var log = new NotificationRepository(db.jdbi(), Clock.systemUTC());
      channels.create(t.id(), t.lastWorkspace().id(), ChannelType.WEBHOOK, "hook",
          new ObjectMapper().createObjectNode().put("url", receiver.url("/h")).put("secret", "k"));
      Config config = Config.fromEnv(Map.of(
          "OPSAGENT_ALLOW_PRIVATE_WEBHOOKS", "true",
          "OPSAGENT_NOTIFY_BACKOFF", "PT0.05S",
          "OPSAGENT_POLL_INTERVAL", "PT0.05S"));

      try (DeliveryNotifier notifier = new DeliveryNotifier(db, channels, log, config.notifications(), config.paging(), config.scheduling(), new SimpleMeterRegistry(), Clock.systemUTC())) {
        notifier.start();
        String id = notifier.send(new Alert(t.id(), t.lastWorkspace().id(), Severity.WARNING, "x", "y", "r")).get(0);
        await().atMost(Duration.ofSeconds(20))
            .until(() -> log.find(t.id(), id).orElseThrow().status() == DeliveryStatus.DELIVERED);
      }

      assertThat(log.listByTenant(t.id(), 5)).singleElement()
          .satisfies(d -> assertThat(d.attempts()).isEqualTo(2));
      assertThat(channels.listByTenant(t.id())).hasSize(1);
    }
  }
}
