package io.opsagent.notify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Optional;

/**
 * A channel with its configuration, for the senders only. The configuration holds secrets (webhook
 * URLs with tokens, signing secrets, PagerDuty routing keys), so it stays in this package and {@link #toString()} hides it.
 * {@code health} is what its delivery attempts recorded when it was read.
 */
public record NotificationChannel(
    String id,
    String tenantId,
    String workspaceId,
    ChannelType type,
    String name,
    ObjectNode config,
    boolean enabled,
    Instant createdAt,
    ChannelHealth health) {

  public NotificationChannel {
    config = config.deepCopy();
    health = health == null ? ChannelHealth.HEALTHY : health;
  }

  /** Whether its deliveries have failed for {@link ChannelHealth#FAILING_AFTER} in a row at {@code now}. */
  public boolean failing(Instant now) {
    return health.failing(now);
  }

  public Optional<String> text(String key) {
    JsonNode n = config.get(key);
    return n == null || n.isNull() || n.asText().isEmpty() ? Optional.empty() : Optional.of(n.asText());
  }

  ChannelView view(Instant now) {
    return new ChannelView(id, tenantId, workspaceId, type, name, enabled, health.failing(now),
        health.lastError());
  }

  /** Replaces every secret of this channel in {@code message} (an error text) with {@code ***}. */
  public String redact(String message) {
    if (message == null) {
      return null;
    }
    String out = message;
    for (String key : new String[] {"url", "secret", "routingKey"}) {
      Optional<String> v = text(key);
      if (v.isPresent()) {
        out = out.replace(v.get(), "***");
        String path = key.equals("url") ? rawPath(v.get()) : null;
        if (path != null && path.length() > 1) {
          out = out.replace(path, "/***");
        }
      }
    }
    return out;
  }

  private static String rawPath(String url) {
    try {
      return new java.net.URI(url).getRawPath();
    } catch (java.net.URISyntaxException e) {
      return null;
    }
  }

  @Override
  public String toString() {
    return "NotificationChannel[id=" + id + ", tenantId=" + tenantId + ", workspaceId=" + workspaceId
        + ", type=" + type.wire() + ", name=" + name + ", enabled=" + enabled + ", config=***]";
  }
}
