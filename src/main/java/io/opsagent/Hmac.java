package io.opsagent;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * HMAC-SHA-256, the one signer of the program: webhook signatures, the audit chain and its heads,
 * the dashboard's session cookie. Keys are raw bytes or a {@link Key}; text is signed as UTF-8.
 */
public final class Hmac {
  private static final String ALGORITHM = "HmacSHA256";

  private Hmac() {}

  /** The HMAC under {@code key} of {@code parts}, one after the other. */
  public static byte[] sign(Key key, byte[]... parts) {
    try {
      Mac mac = Mac.getInstance(ALGORITHM);
      mac.init(key);
      for (byte[] part : parts) {
        mac.update(part);
      }
      return mac.doFinal();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(ALGORITHM + " is unavailable", e);
    }
  }

  public static byte[] sign(byte[] key, byte[]... parts) {
    return sign(new SecretKeySpec(key, ALGORITHM), parts);
  }

  public static byte[] sign(byte[] key, String text) {
    return sign(key, text.getBytes(StandardCharsets.UTF_8));
  }

  /** The HMAC under {@code key} of {@code text}, as 64 hex digits. */
  public static String hex(Key key, String text) {
    return HexFormat.of().formatHex(sign(key, text.getBytes(StandardCharsets.UTF_8)));
  }
}
