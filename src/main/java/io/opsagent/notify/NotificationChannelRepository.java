package io.opsagent.notify;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.opsagent.db.Ids;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.StatementContext;

/**
 * A tenant's notification channels. A channel is validated for its type when it is created (an
 * {@link IllegalArgumentException} with a message fit for a 400 answer) and its URL passes the SSRF
 * guard. Outside this package a channel is only ever seen as a {@link ChannelView}, without its
 * configuration. Every query takes the tenant id: a tenant never sees nor reaches another's channels.
 * A deleted channel keeps its row (the delivery log refers to it) but is never read again.
 */
public final class NotificationChannelRepository {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Jdbi jdbi;
  private final AddressGuard guard;

  /** {@code allowPrivateWebhooks}: {@code Config.allowPrivateWebhooks()}. */
  public NotificationChannelRepository(Jdbi jdbi, boolean allowPrivateWebhooks) {
    this.jdbi = jdbi;
    this.guard = new AddressGuard(allowPrivateWebhooks);
  }

  /**
   * Creates an enabled channel; {@code workspaceId} null makes it tenant-wide, otherwise it must be a
   * workspace of the tenant.
   */
  public ChannelView create(
      String tenantId, String workspaceId, ChannelType type, String name, ObjectNode config) {
    if (type == null) {
      throw new IllegalArgumentException("type is required");
    }
    if (name == null || name.isBlank() || name.length() > 200) {
      throw new IllegalArgumentException("name is required (at most 200 characters)");
    }
    ObjectNode clean = ChannelConfigs.validate(type, config, guard);
    NotificationChannel channel = new NotificationChannel(
        Ids.newId(), tenantId, workspaceId, type, name.trim(), clean, true, Ids.now());
    jdbi.useTransaction(h -> {
      if (workspaceId != null && h.createQuery(
              "SELECT COUNT(*) FROM workspaces WHERE id = :id AND tenant_id = :tenantId")
          .bind("id", workspaceId).bind("tenantId", tenantId).mapTo(Integer.class).one() == 0) {
        throw new IllegalArgumentException("workspace " + workspaceId + " not found for this tenant");
      }
      h.createUpdate("""
              INSERT INTO notification_channels (id, tenant_id, workspace_id, type, name, config_json,
                  enabled, created_at)
              VALUES (:id, :tenantId, :workspaceId, :type, :name, :config, TRUE, :createdAt)""")
          .bind("id", channel.id())
          .bind("tenantId", tenantId)
          .bind("workspaceId", workspaceId)
          .bind("type", type.wire())
          .bind("name", channel.name())
          .bind("config", write(clean))
          .bind("createdAt", channel.createdAt())
          .execute();
    });
    return channel.view();
  }

  /** The tenant's channels, oldest first, without their configuration. */
  public List<ChannelView> listByTenant(String tenantId) {
    return jdbi.withHandle(h -> h.createQuery("""
            SELECT * FROM notification_channels WHERE tenant_id = :tenantId AND deleted_at IS NULL
            ORDER BY created_at, id""")
        .bind("tenantId", tenantId)
        .map(NotificationChannelRepository::map)
        .list())
        .stream().map(NotificationChannel::view).toList();
  }

  /** Switches a channel on or off; false if the tenant has no such channel. */
  public boolean setEnabled(String tenantId, String channelId, boolean enabled) {
    return jdbi.withHandle(h -> h.createUpdate(
            "UPDATE notification_channels SET enabled = :enabled WHERE id = :id AND tenant_id = :tenantId"
                + " AND deleted_at IS NULL")
        .bind("enabled", enabled)
        .bind("id", channelId)
        .bind("tenantId", tenantId)
        .execute()) == 1;
  }

  /** The channels an alert goes to: its workspace's and the tenant-wide ones, enabled, of its tenant. */
  public List<NotificationChannel> selectFor(Alert alert) {
    return jdbi.withHandle(h -> h.createQuery("""
            SELECT * FROM notification_channels
            WHERE tenant_id = :tenantId AND enabled = TRUE AND deleted_at IS NULL
              AND (workspace_id IS NULL OR workspace_id = :workspaceId)
            ORDER BY created_at, id""")
        .bind("tenantId", alert.tenantId())
        .bind("workspaceId", alert.workspaceId())
        .map(NotificationChannelRepository::map)
        .list());
  }

  /** The tenant's channel, unless it was deleted. */
  public Optional<NotificationChannel> find(String tenantId, String channelId) {
    return jdbi.withHandle(h -> h.createQuery(
            "SELECT * FROM notification_channels WHERE id = :id AND tenant_id = :tenantId AND deleted_at IS NULL")
        .bind("id", channelId)
        .bind("tenantId", tenantId)
        .map(NotificationChannelRepository::map)
        .findOne());
  }

  /**
   * Changes what is given of a channel: {@code config} is validated for its type and passes the SSRF
   * guard exactly as on creation, and replaces the whole configuration. Empty if the tenant has no
   * such channel (or it was deleted).
   */
  public Optional<ChannelView> update(String tenantId, String channelId, Optional<Boolean> enabled,
      Optional<String> name, Optional<ObjectNode> config) {
    name.ifPresent(n -> {
      if (n.isBlank() || n.length() > 200) {
        throw new IllegalArgumentException("name is required (at most 200 characters)");
      }
    });
    Optional<NotificationChannel> current = find(tenantId, channelId);
    if (current.isEmpty()) {
      return Optional.empty();
    }
    NotificationChannel c = current.get();
    ObjectNode clean = config.map(raw -> ChannelConfigs.validate(c.type(), raw, guard)).orElse(c.config());
    NotificationChannel changed = new NotificationChannel(c.id(), tenantId, c.workspaceId(), c.type(),
        name.map(String::trim).orElse(c.name()), clean, enabled.orElse(c.enabled()), c.createdAt());
    int updated = jdbi.withHandle(h -> h.createUpdate("""
            UPDATE notification_channels SET name = :name, enabled = :enabled, config_json = :config
            WHERE id = :id AND tenant_id = :tenantId AND deleted_at IS NULL""")
        .bind("name", changed.name())
        .bind("enabled", changed.enabled())
        .bind("config", write(clean))
        .bind("id", channelId)
        .bind("tenantId", tenantId)
        .execute());
    return updated == 1 ? Optional.of(changed.view()) : Optional.empty();
  }

  /**
   * Deletes a channel softly: it is no longer listed nor sent to (pending retries to it end as
   * failed), and the delivery log keeps its rows. False if the tenant has no such channel.
   */
  public boolean delete(String tenantId, String channelId) {
    return jdbi.withHandle(h -> h.createUpdate("""
            UPDATE notification_channels SET deleted_at = :now, enabled = FALSE
            WHERE id = :id AND tenant_id = :tenantId AND deleted_at IS NULL""")
        .bind("now", Ids.now())
        .bind("id", channelId)
        .bind("tenantId", tenantId)
        .execute()) == 1;
  }

  private static NotificationChannel map(ResultSet rs, StatementContext ctx) throws SQLException {
    ObjectNode config;
    try {
      config = (ObjectNode) JSON.readTree(rs.getString("config_json"));
    } catch (JsonProcessingException e) {
      throw new SQLException("unreadable config_json of channel " + rs.getString("id"));
    }
    return new NotificationChannel(
        rs.getString("id"),
        rs.getString("tenant_id"),
        rs.getString("workspace_id"),
        ChannelType.fromWire(rs.getString("type")),
        rs.getString("name"),
        config,
        rs.getBoolean("enabled"),
        Instant.ofEpochMilli(rs.getTimestamp("created_at").getTime()));
  }

  private static String write(ObjectNode config) {
    try {
      return JSON.writeValueAsString(config);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
