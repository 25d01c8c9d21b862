package io.opsagent.notify;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.opsagent.Json;
import io.opsagent.config.ConfigException;
import io.opsagent.db.Ids;
import io.opsagent.db.SecretBox;
import io.opsagent.db.Times;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.StatementContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A tenant's notification channels. A channel is validated for its type when it is created (an
 * {@link IllegalArgumentException} with a message fit for a 400 answer) and its URL passes the SSRF
 * guard. Outside this package a channel is only ever seen as a {@link ChannelView}, without its
 * configuration. Every query takes the tenant id: a tenant never sees nor reaches another's channels.
 *
 * <p>Secrets at rest: with a {@link SecretBox} (from {@code OPSAGENT_SECRET_KEY}) a channel's whole
 * configuration — URLs carry tokens too — is stored encrypted, bound to the channel's id; without one
 * it is stored as plaintext JSON. {@link #secureAtRest()} runs once at start.
 *
 * <p>A deleted channel keeps its row (the delivery log refers to it) but is never read again.
 *
 * <p>Health: every delivery attempt records its outcome on its channel ({@link #attemptFailed},
 * {@link #attemptDelivered}); a channel is failing once its deliveries have failed for
 * {@link ChannelHealth#FAILING_AFTER} in a row, until one succeeds (see {@link ChannelHealth}).
 */
public final class NotificationChannelRepository {
  private static final Logger log = LoggerFactory.getLogger(NotificationChannelRepository.class);
  private static final ObjectMapper JSON = Json.MAPPER;
  private static final int BATCH = 500;

  private final Jdbi jdbi;
  private final AddressGuard guard;
  private final Optional<SecretBox> box;
  private final Clock clock;

  /** Plaintext storage; {@code allowPrivateWebhooks}: {@code Config.allowPrivateWebhooks()}. */
  public NotificationChannelRepository(Jdbi jdbi, boolean allowPrivateWebhooks, Clock clock) {
    this(jdbi, allowPrivateWebhooks, Optional.empty(), clock);
  }

  /** {@code box}: {@code Config.secretKey()} as a {@link SecretBox}; empty stores plaintext. */
  public NotificationChannelRepository(Jdbi jdbi, boolean allowPrivateWebhooks, Optional<SecretBox> box, Clock clock) {
    this.clock = clock;
    this.jdbi = jdbi;
    this.guard = new AddressGuard(allowPrivateWebhooks);
    this.box = box;
  }

  /**
   * Makes the stored channels match the key, before anything reads them. With a key: every
   * encrypted channel must open under it, then channels still in plaintext (written before the key
   * was set) are encrypted — idempotent, and safe while another process does the same. Without a key:
   * no channel may be encrypted (the worker warns at start that configuration is stored in plaintext).
   *
   * @return how many plaintext channels were encrypted now
   * @throws ConfigException naming the problem when encrypted channels exist and the key is missing
   *     or is not the one they were encrypted with — the process must not start then
   */
  public int secureAtRest() {
    if (box.isEmpty()) {
      int sealed = jdbi.withHandle(h -> h.createQuery(
              "SELECT COUNT(*) FROM notification_channels WHERE config_json LIKE 'v1:%'")
          .mapTo(Integer.class).one());
      if (sealed > 0) {
        throw new ConfigException(List.of("OPSAGENT_SECRET_KEY is not set, but " + sealed
            + " notification channel(s) in the database are encrypted: set the key they were encrypted with"));
      }
      return 0;
    }
    verifyKeyOpensEveryChannel();
    int encrypted = encryptPlaintextChannels();
    if (encrypted > 0) {
      log.info("notification channels encrypted at rest channels={}", encrypted);
    }
    return encrypted;
  }

  private void verifyKeyOpensEveryChannel() {
    String after = "";
    while (true) {
      List<String[]> rows = page("LIKE", after);
      for (String[] row : rows) {
        try {
          box.get().open(row[1], row[0]);
        } catch (SecretBox.WrongKeyException e) {
          throw new ConfigException(List.of("OPSAGENT_SECRET_KEY does not decrypt notification channel "
              + row[0] + ": it is not the key the channels were encrypted with"));
        }
      }
      if (rows.size() < BATCH) {
        return;
      }
      after = rows.get(rows.size() - 1)[0];
    }
  }

  private int encryptPlaintextChannels() {
    int done = 0;
    String after = "";
    while (true) {
      List<String[]> rows = page("NOT LIKE", after);
      for (String[] row : rows) {
        // only if still plaintext: another process starting now may have encrypted it already
        done += jdbi.withHandle(h -> h.createUpdate(
                "UPDATE notification_channels SET config_json = :sealed WHERE id = :id AND config_json = :plain")
            .bind("sealed", box.get().seal(row[1], row[0]))
            .bind("id", row[0])
            .bind("plain", row[1])
            .execute());
      }
      if (rows.size() < BATCH) {
        return done;
      }
      after = rows.get(rows.size() - 1)[0];
    }
  }

  /** {id, config_json} of the channels whose stored value is (not) sealed, by id after {@code after}. */
  private List<String[]> page(String likeOrNotLike, String after) {
    return jdbi.withHandle(h -> h.createQuery("SELECT id, config_json FROM notification_channels"
            + " WHERE config_json " + likeOrNotLike + " 'v1:%' AND id > :after ORDER BY id LIMIT " + BATCH)
        .bind("after", after)
        .map((rs, ctx) -> new String[] {rs.getString("id"), rs.getString("config_json")})
        .list());
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
        Ids.newId(), tenantId, workspaceId, type, name.trim(), clean, true, Times.current(clock), null);
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
          .bind("config", encode(channel.id(), clean))
          .bind("createdAt", channel.createdAt())
          .execute();
    });
    return channel.view(channel.createdAt());
  }

  /** The tenant's channels, oldest first, without their configuration, with their health now. */
  public List<ChannelView> listByTenant(String tenantId) {
    Instant now = Times.current(clock);
    return jdbi.withHandle(h -> h.createQuery("""
            SELECT * FROM notification_channels WHERE tenant_id = :tenantId AND deleted_at IS NULL
            ORDER BY created_at, id""")
        .bind("tenantId", tenantId)
        .map(this::map)
        .list())
        .stream().map(c -> c.view(now)).toList();
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
        .map(this::map)
        .list());
  }

  /**
   * The tenant's enabled channels whose id is not in {@code selected} that are not failing at
   * {@code now}, oldest first: where a page goes as well when every channel selected for it is
   * failing. Tenant-wide ones are always selected, so these are the channels of the tenant's other
   * workspaces.
   */
  public List<NotificationChannel> fallbackFor(Alert alert, java.util.Set<String> selected, Instant now) {
    return jdbi.withHandle(h -> h.createQuery("""
            SELECT * FROM notification_channels
            WHERE tenant_id = :tenantId AND enabled = TRUE AND deleted_at IS NULL
              AND (failing_since IS NULL OR failing_since > :cutoff)
            ORDER BY created_at, id""")
        .bind("tenantId", alert.tenantId())
        .bind("cutoff", now.minus(ChannelHealth.FAILING_AFTER))
        .map(this::map)
        .list())
        .stream().filter(c -> !selected.contains(c.id())).toList();
  }

  /** The tenant's enabled channels whose id is in {@code ids}, oldest first. */
  public List<NotificationChannel> enabledAmong(String tenantId, java.util.Set<String> ids) {
    if (ids.isEmpty()) {
      return List.of();
    }
    return jdbi.withHandle(h -> h.createQuery("""
            SELECT * FROM notification_channels
            WHERE tenant_id = :tenantId AND enabled = TRUE AND deleted_at IS NULL AND id IN (<ids>)
            ORDER BY created_at, id""")
        .bind("tenantId", tenantId)
        .bindList("ids", List.copyOf(ids))
        .map(this::map)
        .list());
  }

  /**
   * Records a failed attempt on the channel: the first failure since its last success (an attempt
   * started after that success) starts its failing time at {@code startedAt}; every failure records
   * {@code error}, which must already be free of the channel's URL and secrets. An attempt that
   * started before the latest success does not make the channel failing again.
   */
  public void attemptFailed(String channelId, Instant startedAt, String error) {
    jdbi.useHandle(h -> h.createUpdate("""
            UPDATE notification_channels SET
                failing_since = COALESCE(failing_since, :startedAt),
                last_error = :error
            WHERE id = :id AND (last_delivered_at IS NULL OR last_delivered_at < :startedAt)""")
        .bind("id", channelId)
        .bind("startedAt", startedAt)
        .bind("error", io.opsagent.Json.truncate(error, 2000))
        .execute());
  }

  /** Records a delivery that reached the channel's receiver: it is not failing any more. */
  public void attemptDelivered(String channelId, Instant at) {
    jdbi.useHandle(h -> h.createUpdate("""
            UPDATE notification_channels SET failing_since = NULL, last_error = NULL,
                last_delivered_at = CASE WHEN last_delivered_at IS NULL OR last_delivered_at < :at
                    THEN :at ELSE last_delivered_at END
            WHERE id = :id""")
        .bind("id", channelId)
        .bind("at", at)
        .execute());
  }

  /**
   * How many enabled channels, over all tenants, are failing at {@code now}: the
   * {@code opsagent_channels_failing} gauge.
   */
  public static int failingCount(Jdbi jdbi, Instant now) {
    return jdbi.withHandle(h -> h.createQuery("""
            SELECT COUNT(*) FROM notification_channels
            WHERE enabled = TRUE AND deleted_at IS NULL AND failing_since <= :cutoff""")
        .bind("cutoff", now.minus(ChannelHealth.FAILING_AFTER))
        .mapTo(Integer.class)
        .one());
  }

  /** The tenant's channel, unless it was deleted. */
  public Optional<NotificationChannel> find(String tenantId, String channelId) {
    return jdbi.withHandle(h -> h.createQuery(
            "SELECT * FROM notification_channels WHERE id = :id AND tenant_id = :tenantId AND deleted_at IS NULL")
        .bind("id", channelId)
        .bind("tenantId", tenantId)
        .map(this::map)
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
        name.map(String::trim).orElse(c.name()), clean, enabled.orElse(c.enabled()), c.createdAt(),
        c.health());
    int updated = jdbi.withHandle(h -> h.createUpdate("""
            UPDATE notification_channels SET name = :name, enabled = :enabled, config_json = :config
            WHERE id = :id AND tenant_id = :tenantId AND deleted_at IS NULL""")
        .bind("name", changed.name())
        .bind("enabled", changed.enabled())
        .bind("config", encode(channelId, clean))
        .bind("id", channelId)
        .bind("tenantId", tenantId)
        .execute());
    return updated == 1 ? Optional.of(changed.view(Times.current(clock))) : Optional.empty();
  }

  /**
   * Deletes a channel softly: it is no longer listed nor sent to (pending retries to it end as
   * failed), and the delivery log keeps its rows. False if the tenant has no such channel.
   */
  public boolean delete(String tenantId, String channelId) {
    return jdbi.withHandle(h -> h.createUpdate("""
            UPDATE notification_channels SET deleted_at = :now, enabled = FALSE
            WHERE id = :id AND tenant_id = :tenantId AND deleted_at IS NULL""")
        .bind("now", Times.current(clock))
        .bind("id", channelId)
        .bind("tenantId", tenantId)
        .execute()) == 1;
  }

  private NotificationChannel map(ResultSet rs, StatementContext ctx) throws SQLException {
    ObjectNode config = decode(rs.getString("id"), rs.getString("config_json"));
    return new NotificationChannel(
        rs.getString("id"),
        rs.getString("tenant_id"),
        rs.getString("workspace_id"),
        ChannelType.fromWire(rs.getString("type")),
        rs.getString("name"),
        config,
        rs.getBoolean("enabled"),
        Instant.ofEpochMilli(rs.getTimestamp("created_at").getTime()),
        new ChannelHealth(Times.instant(rs.getTimestamp("failing_since")), rs.getString("last_error"),
            Times.instant(rs.getTimestamp("last_delivered_at"))));
  }

  /** The stored form of a channel's configuration: sealed for its id when there is a key. */
  private String encode(String channelId, ObjectNode config) {
    String json;
    try {
      json = JSON.writeValueAsString(config);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    return box.map(b -> b.seal(json, channelId)).orElse(json);
  }

  private ObjectNode decode(String channelId, String stored) throws SQLException {
    String json = stored;
    if (SecretBox.isSealed(stored)) {
      if (box.isEmpty()) {
        throw new IllegalStateException("notification channel " + channelId
            + " is encrypted and OPSAGENT_SECRET_KEY is not set");
      }
      json = box.get().open(stored, channelId);
    }
    try {
      return (ObjectNode) JSON.readTree(json);
    } catch (JsonProcessingException | ClassCastException e) {
      throw new SQLException("unreadable config_json of channel " + channelId);
    }
  }
}
