package io.opsagent.api.auth;

import io.opsagent.db.Ids;
import io.opsagent.db.Times;
import java.time.Clock;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/**
 * The scoped API keys, kept as the SHA-256 of 32 random bytes: a key is shown once, when it is
 * created, and cannot be read back. Revoking a key takes effect at once on every worker, since each
 * request looks its hash up.
 */
public final class ApiKeys {
  static final String PREFIX = "oak_";
  private static final SecureRandom RANDOM = new SecureRandom();

  /** A key as listed: never the key itself. */
  public record ApiKey(String id, String name, Role role, String tenantId, Instant createdAt, Instant revokedAt) {
    Caller caller() {
      return new Caller(id, name, role, tenantId);
    }
  }

  /** A key just created, with its secret (shown only now). */
  public record Created(ApiKey key, String secret) {}

  private final Jdbi jdbi;
  private final Clock clock;

  public ApiKeys(Jdbi jdbi, Clock clock) {
    this.clock = clock;
    this.jdbi = jdbi;
  }

  /**
   * A new key. {@code tenant} keys need a tenant, {@code viewer} keys may have one, the others have
   * none; an unknown tenant is refused. {@link IllegalArgumentException} (a 400) says what is wrong.
   */
  public Created create(String name, Role role, String tenantId) {
    if (name == null || name.isBlank() || name.length() > 200) {
      throw new IllegalArgumentException("'name' must be 1 to 200 characters");
    }
    if (role == Role.TENANT && tenantId == null) {
      throw new IllegalArgumentException("a tenant key needs 'tenantId'");
    }
    if ((role == Role.ADMIN || role == Role.PLATFORM) && tenantId != null) {
      throw new IllegalArgumentException("an " + role.wire() + " key sees every tenant: leave out 'tenantId'");
    }
    if (tenantId != null && !tenantExists(tenantId)) {
      throw new IllegalArgumentException("no tenant " + tenantId);
    }
    byte[] raw = new byte[32];
    RANDOM.nextBytes(raw);
    String secret = PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
    ApiKey key = new ApiKey(Ids.newId(), name.strip(), role, tenantId, Times.current(clock), null);
    jdbi.useHandle(h -> h.createUpdate("""
            INSERT INTO api_keys (id, name, role, tenant_id, key_hash, created_at)
            VALUES (:id, :name, :role, :tenantId, :hash, :createdAt)""")
        .bind("id", key.id()).bind("name", key.name()).bind("role", role.wire())
        .bind("tenantId", tenantId).bind("hash", hash(secret)).bind("createdAt", key.createdAt())
        .execute());
    return new Created(key, secret);
  }

  /** Every key, revoked ones included (with when), oldest first. */
  public List<ApiKey> list() {
    return jdbi.withHandle(h -> h.createQuery("""
            SELECT id, name, role, tenant_id, created_at, revoked_at FROM api_keys ORDER BY created_at, id""")
        .map((rs, c) -> key(rs)).list());
  }

  public Optional<ApiKey> find(String id) {
    return jdbi.withHandle(h -> h.createQuery(
            "SELECT id, name, role, tenant_id, created_at, revoked_at FROM api_keys WHERE id = :id")
        .bind("id", id).map((rs, c) -> key(rs)).findOne());
  }

  private static ApiKey key(java.sql.ResultSet rs) throws java.sql.SQLException {
    return new ApiKey(rs.getString("id"), rs.getString("name"), Role.parse(rs.getString("role")),
        rs.getString("tenant_id"), Times.instant(rs.getTimestamp("created_at")),
        rs.getTimestamp("revoked_at") == null ? null : Times.instant(rs.getTimestamp("revoked_at")));
  }

  /** Revokes a key; false when there is no such key or it was already revoked. */
  public boolean revoke(String id) {
    return jdbi.withHandle(h -> h.createUpdate(
            "UPDATE api_keys SET revoked_at = :now WHERE id = :id AND revoked_at IS NULL")
        .bind("now", Times.current(clock)).bind("id", id).execute()) == 1;
  }

  /** The live key {@code secret} is, if any. */
  public Optional<Caller> authenticate(String secret) {
    if (secret == null || !secret.startsWith(PREFIX) || secret.length() > 100) {
      return Optional.empty();
    }
    return jdbi.withHandle(h -> h.createQuery("""
            SELECT id, name, role, tenant_id FROM api_keys WHERE key_hash = :hash AND revoked_at IS NULL""")
        .bind("hash", hash(secret))
        .map((rs, c) -> new Caller(rs.getString("id"), rs.getString("name"), Role.parse(rs.getString("role")),
            rs.getString("tenant_id")))
        .findOne());
  }

  /** The live key with id {@code id}, if it is one (a session's key is looked up by id). */
  Optional<Caller> live(String id) {
    return jdbi.withHandle(h -> h.createQuery("""
            SELECT id, name, role, tenant_id FROM api_keys WHERE id = :id AND revoked_at IS NULL""")
        .bind("id", id)
        .map((rs, c) -> new Caller(rs.getString("id"), rs.getString("name"), Role.parse(rs.getString("role")),
            rs.getString("tenant_id")))
        .findOne());
  }

  private boolean tenantExists(String tenantId) {
    return jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM tenants WHERE id = :id")
        .bind("id", tenantId).mapTo(Integer.class).one()) > 0;
  }

  static String hash(String secret) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
          .digest(secret.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is unavailable", e);
    }
  }
}
