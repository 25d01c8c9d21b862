package io.opsagent.ui;

import io.opsagent.Hmac;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;

/**
 * The dashboard's session cookie and CSRF tokens, signed rather than stored: any worker of the
 * cluster accepts a session another one issued, and a restart keeps everyone logged in.
 *
 * <p>The signing key is derived from the API token (HMAC-SHA256 of a fixed label keyed by the
 * token), so every worker configured with the same token agrees on it and changing the token ends
 * every session. A cookie is {@code v1.<expiry epoch seconds>.<random nonce>.<MAC>}; the CSRF token
 * of a session is a MAC of its nonce, so a form rendered by one worker is accepted by another.
 */
final class UiSession {
  static final String COOKIE = "opsagent_session";
  static final Duration LIFETIME = Duration.ofHours(12);
  private static final String VERSION = "v1";
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

  /** A valid session: its nonce (which its CSRF token is bound to) and when it expires. */
  record Session(String nonce, Instant expiresAt) {}

  private final byte[] apiToken;
  private final byte[] key;
  private final Clock clock;
  private final SecureRandom random = new SecureRandom();

  UiSession(String apiToken, Clock clock) {
    this.apiToken = apiToken.getBytes(StandardCharsets.UTF_8);
    this.key = Hmac.sign(this.apiToken, "opsagent dashboard session key v1");
    this.clock = clock;
  }

  /** Whether {@code given} is the API token (compared in constant time). */
  boolean tokenMatches(String given) {
    return given != null && MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8), apiToken);
  }

  /** A new session's cookie value. */
  String issue() {
    byte[] n = new byte[16];
    random.nextBytes(n);
    String payload = VERSION + "." + clock.instant().plus(LIFETIME).getEpochSecond() + "."
        + HexFormat.of().formatHex(n);
    return payload + "." + B64.encodeToString(Hmac.sign(key, payload));
  }

  /** The session a cookie value stands for, if it is well-formed, signed by us and not expired. */
  Optional<Session> verify(String cookie) {
    if (cookie == null) {
      return Optional.empty();
    }
    String[] parts = cookie.split("\\.", -1);
    if (parts.length != 4 || !parts[0].equals(VERSION) || !parts[2].matches("[0-9a-f]{32}")) {
      return Optional.empty();
    }
    String payload = parts[0] + "." + parts[1] + "." + parts[2];
    byte[] expected = B64.encodeToString(Hmac.sign(key, payload)).getBytes(StandardCharsets.US_ASCII);
    if (!MessageDigest.isEqual(expected, parts[3].getBytes(StandardCharsets.US_ASCII))) {
      return Optional.empty();
    }
    Instant expiresAt;
    try {
      expiresAt = Instant.ofEpochSecond(Long.parseLong(parts[1]));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
    return clock.instant().isBefore(expiresAt) ? Optional.of(new Session(parts[2], expiresAt))
        : Optional.empty();
  }

  /** The CSRF token every state-changing form of {@code session} carries. */
  String csrfToken(Session session) {
    return B64.encodeToString(Hmac.sign(key, "csrf." + session.nonce()));
  }

  boolean csrfMatches(Session session, String given) {
    return given != null && MessageDigest.isEqual(csrfToken(session).getBytes(StandardCharsets.US_ASCII),
        given.getBytes(StandardCharsets.UTF_8));
  }
}
