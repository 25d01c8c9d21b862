package io.opsagent.agent.run;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import javax.crypto.SecretKey;

/**
 * The head of a tenant's audit chain: how many runs the chain holds (those retention deleted
 * included), the last one's {@code chainHash}, when it was written, and an HMAC-SHA-256 signature
 * over the tenant id and those three under the key {@code keyId} names ({@code keyId} and
 * {@code signature} null when no key was set). Written to {@code ops_audit_heads} with every chained
 * run; {@code audit head} prints its {@link #token()}, to keep outside the database and give back to
 * {@code audit verify --head}.
 */
public record AuditHead(long runCount, String chainHash, Instant at, String keyId, String signature) {

  /** What the signature covers. */
  static String signedText(String tenantId, long runCount, String chainHash, Instant at) {
    return "opsagent audit head\n" + tenantId + "\n" + runCount + "\n" + chainHash + "\n" + at;
  }

  static AuditHead sign(String tenantId, long runCount, String chainHash, Instant at, Optional<SecretKey> key) {
    return new AuditHead(runCount, chainHash, at, key.map(AuditKeys::id).orElse(null),
        key.map(k -> AuditKeys.hmacHex(k, signedText(tenantId, runCount, chainHash, at))).orElse(null));
  }

  public boolean signed() {
    return signature != null;
  }

  /**
   * Whether the signature holds under the key it names: empty when that key is neither of
   * {@code keys} (or the head is unsigned), so it cannot be checked here.
   */
  public Optional<Boolean> signatureValid(String tenantId, AuditKeys keys) {
    return keys.find(keyId).map(k -> AuditKeys.same(signature,
        AuditKeys.hmacHex(k, signedText(tenantId, runCount, chainHash, at))));
  }

  /** {@code COUNT,HASH,TIME,KEYID:SIGNATURE} ({@code unsigned} for the last part without a key). */
  public String token() {
    return runCount + "," + chainHash + "," + at + "," + (signed() ? keyId + ":" + signature : "unsigned");
  }

  /** Reads a {@link #token()}; empty if {@code text} is not one. */
  public static Optional<AuditHead> parse(String text) {
    String[] p = text.trim().split(",");
    if (p.length != 4 || !p[1].matches("[0-9a-f]{64}")) {
      return Optional.empty();
    }
    try {
      long count = Long.parseLong(p[0]);
      Instant at = Instant.parse(p[2]);
      if (count < 0) {
        return Optional.empty();
      }
      if (p[3].equals("unsigned")) {
        return Optional.of(new AuditHead(count, p[1], at, null, null));
      }
      String[] sig = p[3].split(":");
      if (sig.length != 2 || !sig[0].matches("[0-9a-f]{16}") || !sig[1].matches("[0-9a-f]{64}")) {
        return Optional.empty();
      }
      return Optional.of(new AuditHead(count, p[1], at, sig[0], sig[1]));
    } catch (NumberFormatException | DateTimeParseException e) {
      return Optional.empty();
    }
  }
}
