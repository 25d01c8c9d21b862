package io.opsagent.db;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;

/**
 * Authenticated encryption of a secret stored in a database column (AES-256-GCM under
 * {@code OPSAGENT_SECRET_KEY}).
 *
 * <p>A sealed value is {@code v1:} followed by the base64 of a random 12-byte nonce (fresh on every
 * write), the ciphertext and the 16-byte tag. The value is bound to its row: {@code context} (e.g.
 * the row's id) is authenticated with it, so a sealed value copied into another row (another
 * tenant's channel) does not open. Opening with another key, or a value altered in the database,
 * fails with {@link WrongKeyException} — never with garbage.
 */
public final class SecretBox {
  private static final String PREFIX = "v1:";
  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final SecretKey key;

  public SecretBox(SecretKey key) {
    if (key.getEncoded() == null || key.getEncoded().length != 32) {
      throw new IllegalArgumentException("an AES-256 key (32 bytes) is required");
    }
    this.key = key;
  }

  /** Whether {@code stored} is a sealed value (as opposed to plaintext written without a key). */
  public static boolean isSealed(String stored) {
    return stored != null && stored.startsWith(PREFIX);
  }

  /** Encrypts {@code plaintext} for the row named by {@code context}. */
  public String seal(String plaintext, String context) {
    byte[] nonce = new byte[NONCE_BYTES];
    RANDOM.nextBytes(nonce);
    try {
      Cipher c = cipher(Cipher.ENCRYPT_MODE, nonce, context);
      byte[] sealed = c.doFinal(plaintext.getBytes(StandardCharsets.UTF_8));
      byte[] out = new byte[NONCE_BYTES + sealed.length];
      System.arraycopy(nonce, 0, out, 0, NONCE_BYTES);
      System.arraycopy(sealed, 0, out, NONCE_BYTES, sealed.length);
      return PREFIX + Base64.getEncoder().encodeToString(out);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is not available in this JVM", e);
    }
  }

  /**
   * Decrypts a value {@link #seal sealed} for the same {@code context}.
   *
   * @throws WrongKeyException if this key did not seal it (or it was altered, or belongs to another row)
   */
  public String open(String stored, String context) {
    if (!isSealed(stored)) {
      throw new IllegalArgumentException("not a sealed value");
    }
    byte[] in;
    try {
      in = Base64.getDecoder().decode(stored.substring(PREFIX.length()));
    } catch (IllegalArgumentException e) {
      throw new WrongKeyException("the sealed value is not valid base64");
    }
    if (in.length < NONCE_BYTES + TAG_BITS / 8) {
      throw new WrongKeyException("the sealed value is too short");
    }
    try {
      Cipher c = cipher(Cipher.DECRYPT_MODE, java.util.Arrays.copyOf(in, NONCE_BYTES), context);
      byte[] plain = c.doFinal(in, NONCE_BYTES, in.length - NONCE_BYTES);
      return new String(plain, StandardCharsets.UTF_8);
    } catch (AEADBadTagException e) {
      throw new WrongKeyException("the key does not open it (wrong key, or the value was altered)");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is not available in this JVM", e);
    }
  }

  private Cipher cipher(int mode, byte[] nonce, String context) throws GeneralSecurityException {
    Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
    c.init(mode, key, new GCMParameterSpec(TAG_BITS, nonce));
    c.updateAAD(context.getBytes(StandardCharsets.UTF_8));
    return c;
  }

  /** A sealed value does not open under this key. The message never contains the value. */
  public static final class WrongKeyException extends RuntimeException {
    public WrongKeyException(String message) {
      super(message);
    }
  }
}
