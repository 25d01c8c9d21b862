package io.opsagent.notify.send;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.opsagent.notify.Delivery;
import io.opsagent.notify.NotificationChannel;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The contract's webhook: {@code {"tenantId","workspaceId","severity","title","body","runId",
 * "source":"opsagent","createdAt"}}, signed with {@code X-Opsagent-Signature: sha256=<hex HMAC>} of
 * the exact body bytes when the channel has a secret.
 */
public final class WebhookSender implements Sender {
  static final String SIGNATURE_HEADER = "X-Opsagent-Signature";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpPoster poster;

  public WebhookSender(HttpPoster poster) {
    this.poster = poster;
  }

  @Override
  public SendOutcome send(NotificationChannel channel, Delivery d) {
    byte[] body = payload(d);
    Map<String, String> headers = channel.text("secret")
        .map(secret -> Map.of(SIGNATURE_HEADER, "sha256=" + hmacSha256Hex(secret, body)))
        .orElse(Map.of());
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
    o.put("source", "opsagent");
    o.put("createdAt", d.createdAt().toString());
    return o.toString().getBytes(StandardCharsets.UTF_8);
  }

  public static String hmacSha256Hex(String secret, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return HexFormat.of().formatHex(mac.doFinal(body));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }
}
