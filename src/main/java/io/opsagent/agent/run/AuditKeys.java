package io.opsagent.agent.run;

import io.opsagent.Hmac;
import io.opsagent.config.Config;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;
import javax.crypto.SecretKey;

/**
 * The keys of the audit chain: {@code OPSAGENT_AUDIT_KEY} ({@link #current()}), which chains new runs
 * and signs heads and checkpoints, and {@code OPSAGENT_AUDIT_KEY_PREVIOUS} ({@link #previous()}),
 * which only verifies what was chained before a rotation. A key is named in the database by its
 * {@link #id(SecretKey) id}, derived from it one-way, so the id tells which key to check with and
 * reveals nothing of the key itself.
 */
public record AuditKeys(Optional<SecretKey> current, Optional<SecretKey> previous) {
  public static final AuditKeys NONE = new AuditKeys(Optional.empty(), Optional.empty());

  public static AuditKeys of(Config.Audit audit) {
    return new AuditKeys(audit.key(), audit.previousKey());
  }

  public boolean keyed() {
    return current.isPresent();
  }

  /** The key whose id is {@code keyId}, among the current and the previous one. */
  public Optional<SecretKey> find(String keyId) {
    if (keyId == null) {
      return Optional.empty();
    }
    return current.filter(k -> id(k).equals(keyId)).or(() -> previous.filter(k -> id(k).equals(keyId)));
  }

  /** The 16 hex digits naming {@code key}: the start of HMAC(key, "opsagent audit key id"). */
  public static String id(SecretKey key) {
    return hmacHex(key, "opsagent audit key id").substring(0, 16);
  }

  /** HMAC-SHA-256 of {@code text} (UTF-8) under {@code key}, as 64 hex digits. */
  public static String hmacHex(SecretKey key, String text) {
    return Hmac.hex(key, text);
  }

  /** Compares two hex digests in constant time (false if either is null). */
  public static boolean same(String a, String b) {
    return a != null && b != null
        && MessageDigest.isEqual(a.getBytes(StandardCharsets.US_ASCII), b.getBytes(StandardCharsets.US_ASCII));
  }
}
