package io.opsagent.ui;

import io.opsagent.api.auth.Access;
import io.opsagent.api.auth.Caller;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/**
 * The dashboard's sessions, kept as rows ({@code ui_sessions}) and looked up on every request: any
 * worker of the cluster accepts a session another one opened, a restart keeps everyone logged in,
 * and logging out (the row is deleted) or revoking the session's key ends it at once on every
 * worker. The cookie holds only a random id (the row keeps its SHA-256); the CSRF token is a random
 * value stored in the same row, so it dies with the session.
 */
final class UiSession {
  static final String COOKIE = "opsagent_session";
  static final Duration LIFETIME = Duration.ofHours(12);
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

  /** A live session: whose key it runs under, its CSRF token, and when it expires. */
  record Session(String idHash, Caller caller, String csrfToken, Instant expiresAt) {}

  private final Jdbi jdbi;
  private final Access access;
  private final Clock clock;
  private final SecureRandom random = new SecureRandom();

  UiSession(Jdbi jdbi, Access access, Clock clock) {
    this.jdbi = jdbi;
    this.access = access;
    this.clock = clock;
  }

  /** A new session of {@code caller}; its cookie value. Expired sessions are cleared on the way. */
  String issue(Caller caller) {
    String id = randomToken();
    Instant now = clock.instant();
    jdbi.useTransaction(h -> {
      h.createUpdate("DELETE FROM ui_sessions WHERE expires_at < :now").bind("now", now).execute();
      h.createUpdate("""
              INSERT INTO ui_sessions (id_hash, key_id, csrf_token, created_at, expires_at)
              VALUES (:idHash, :keyId, :csrf, :now, :expiresAt)""")
          .bind("idHash", hash(id)).bind("keyId", access.sessionKey(caller)).bind("csrf", randomToken())
          .bind("now", now).bind("expiresAt", now.plus(LIFETIME)).execute();
    });
    return id;
  }

  /** The live session a cookie value stands for: its row exists, has not expired, and its key works. */
  Optional<Session> verify(String cookie) {
    if (cookie == null || cookie.isEmpty() || cookie.length() > 100) {
      return Optional.empty();
    }
    String idHash = hash(cookie);
    record Row(String keyId, String csrf, Instant expiresAt) {}
    Optional<Row> row = jdbi.withHandle(h -> h.createQuery("""
            SELECT key_id, csrf_token, expires_at FROM ui_sessions WHERE id_hash = :idHash AND expires_at > :now""")
        .bind("idHash", idHash).bind("now", clock.instant())
        .map((rs, c) -> new Row(rs.getString("key_id"), rs.getString("csrf_token"),
            io.opsagent.db.Times.instant(rs.getTimestamp("expires_at"))))
        .findOne());
    return row.flatMap(r -> access.sessionCaller(r.keyId())
        .map(caller -> new Session(idHash, caller, r.csrf(), r.expiresAt())));
  }

  /** Ends the session (logout): its cookie and CSRF token stop working on every worker at once. */
  void end(Session session) {
    jdbi.useHandle(h -> h.createUpdate("DELETE FROM ui_sessions WHERE id_hash = :idHash")
        .bind("idHash", session.idHash()).execute());
  }

  boolean csrfMatches(Session session, String given) {
    return given != null && MessageDigest.isEqual(session.csrfToken().getBytes(StandardCharsets.US_ASCII),
        given.getBytes(StandardCharsets.UTF_8));
  }

  private String randomToken() {
    byte[] n = new byte[32];
    random.nextBytes(n);
    return B64.encodeToString(n);
  }

  private static String hash(String value) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
          .digest(value.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is unavailable", e);
    }
  }
}
