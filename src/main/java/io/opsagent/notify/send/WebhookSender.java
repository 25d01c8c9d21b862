package io.opsagent.notify.send;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.opsagent.Hmac;
import io.opsagent.Json;
import io.opsagent.notify.Delivery;
import io.opsagent.notify.NotificationChannel;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The contract's webhook: {@code {"tenantId","workspaceId","severity","title","body","runId",
 * "deploymentId"?,"incidentKey"?,"status":"firing"|"update"|"resolved","by":"code"|"model","source":"opsagent",
 * "createdAt"}}, with the Standard Webhooks
 * headers: {@code webhook-id} (the delivery's id, the same on every attempt, so a receiver can
 * de-duplicate), {@code webhook-timestamp} (this attempt, Unix seconds) and, when the channel has a
 * secret, {@code webhook-signature: v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">}. The key
 * is the secret's UTF-8 bytes, or for a {@code whsec_…} secret the bytes its base64 part decodes to.
 * {@code X-Opsagent-Signature: sha256=<hex HMAC-SHA256 of the body>}, keyed by the secret's UTF-8
 * bytes, stays for receivers written before.
 */
public final class WebhookSender implements Sender {
  static final String SIGNATURE_HEADER = "X-Opsagent-Signature";
  static final String WHSEC_PREFIX = "whsec_";
  private static final ObjectMapper JSON = Json.MAPPER;

  private final HttpPoster poster;
  private final Clock clock;

  public WebhookSender(HttpPoster poster, Clock clock) {
    this.poster = poster;
    this.clock = clock;
  }

  @Override
  public SendOutcome send(NotificationChannel channel, Delivery d) {
    byte[] body = payload(d);
    String timestamp = String.valueOf(clock.instant().getEpochSecond());
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("webhook-id", d.id());
    headers.put("webhook-timestamp", timestamp);
    Optional<String> secret = channel.text("secret");
    if (secret.isPresent()) {
      Optional<String> signature = standardSignature(secret.get(), d.id(), timestamp, body);
      if (signature.isEmpty()) {
        return SendOutcome.failed("config.secret starts with " + WHSEC_PREFIX + " but the rest is not base64");
      }
      headers.put("webhook-signature", signature.get());
      headers.put(SIGNATURE_HEADER, "sha256=" + hmacSha256Hex(secret.get(), body));
    }
    return poster.post(channel, body, headers);
  }

  public static byte[] payload(Delivery d) {
    ObjectNode o = JSON.createObjectNode();
    o.put("tenantId", d.tenantId());
    o.put("workspaceId", d.workspaceId());
    o.put("severity", d.severity().wire());
    o.put("title", d.title());
    o.put("body", d.body());
    o.put("runId", d.runId());
    if (d.deploymentId() != null) {
      o.put("deploymentId", d.deploymentId());
    }
    if (d.incidentKey() != null) {
      o.put("incidentKey", d.incidentKey());
    }
    o.put("status", d.alertStatus());
    o.put("by", d.by());
    o.put("source", "opsagent");
    o.put("createdAt", d.createdAt().toString());
    return o.toString().getBytes(StandardCharsets.UTF_8);
  }

  /**
   * The Standard Webhooks {@code webhook-signature} value of one message: {@code v1,<base64
   * HMAC-SHA256 of "{id}.{timestamp}.{body}">} keyed by {@link #signingKey}; empty when a
   * {@code whsec_} secret's base64 part is not base64. Also signs the platform control requests.
   */
  public static Optional<String> standardSignature(String secret, String id, String timestamp, byte[] body) {
    return signingKey(secret).map(key -> "v1," + Base64.getEncoder().encodeToString(
        Hmac.sign(key, (id + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8), body)));
  }

  /**
   * The Standard Webhooks signing key of {@code secret}: its UTF-8 bytes, or the decoded base64 part of
   * a {@code whsec_} secret; empty when that part is not base64.
   */
  static Optional<byte[]> signingKey(String secret) {
    if (!secret.startsWith(WHSEC_PREFIX)) {
      return Optional.of(secret.getBytes(StandardCharsets.UTF_8));
    }
    try {
      byte[] key = Base64.getDecoder().decode(secret.substring(WHSEC_PREFIX.length()));
      return key.length == 0 ? Optional.empty() : Optional.of(key);
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  public static String hmacSha256Hex(String secret, byte[] body) {
    return HexFormat.of().formatHex(Hmac.sign(secret.getBytes(StandardCharsets.UTF_8), body));
  }
}
