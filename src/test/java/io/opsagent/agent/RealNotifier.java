package io.opsagent.agent;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opsagent.config.Config;
import io.opsagent.db.Database;
import io.opsagent.notify.ChannelType;
import io.opsagent.notify.Delivery;
import io.opsagent.notify.DeliveryStatus;
import io.opsagent.notify.NotificationChannelRepository;
import io.opsagent.notify.delivery.DeliveryNotifier;
import io.opsagent.notify.delivery.NotificationRepository;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;

/**
 * The real notification path for the loop tests: a started {@link DeliveryNotifier} that may post to
 * loopback webhooks, its channel repository and its delivery log.
 */
final class RealNotifier implements AutoCloseable {
  final NotificationChannelRepository channels;
  final NotificationRepository deliveries;
  final DeliveryNotifier notifier;

  RealNotifier(Database db) {
    Config config = Config.fromEnv(Map.of("OPSAGENT_ALLOW_PRIVATE_WEBHOOKS", "true",
        "OPSAGENT_NOTIFY_BACKOFF", "PT0.05S", "OPSAGENT_POLL_INTERVAL", "PT0.2S"));
    channels = new NotificationChannelRepository(db.jdbi(), true, Clock.systemUTC());
    deliveries = new NotificationRepository(db.jdbi(), Clock.systemUTC());
    notifier = new DeliveryNotifier(db, channels, deliveries, config.notifications(), config.paging(), config.scheduling(), new SimpleMeterRegistry(), Clock.systemUTC());
    notifier.start();
  }

  String webhook(String tenantId, String workspaceId, String name, String url, String secret) {
    ObjectNode config = JsonNodeFactory.instance.objectNode().put("url", url);
    if (secret != null) {
      config.put("secret", secret);
    }
    return channels.create(tenantId, workspaceId, ChannelType.WEBHOOK, name, config).id();
  }

  String email(String tenantId, String workspaceId, String name, String to) {
    return channels.create(tenantId, workspaceId, ChannelType.EMAIL, name,
        JsonNodeFactory.instance.objectNode().put("to", to)).id();
  }

  /** The tenant's deliveries once none is pending any more. */
  List<Delivery> settled(String tenantId) {
    return Awaitility.await().until(() -> deliveries.listByTenant(tenantId, 100),
        list -> list.stream().noneMatch(d -> d.status() == DeliveryStatus.PENDING));
  }

  @Override
  public void close() {
    notifier.close();
  }
}
