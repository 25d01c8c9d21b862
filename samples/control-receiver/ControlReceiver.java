import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A minimal receiver of opsagent's restart/rollback requests (OPSAGENT_PLATFORM_CONTROL_URL), to start
 * a platform's own from. Run it with the JDK alone:
 *
 *   CONTROL_SECRET=... PORT=9000 java samples/control-receiver/ControlReceiver.java
 *
 * and set OPSAGENT_PLATFORM_CONTROL_URL=http://host:9000/control, OPSAGENT_PLATFORM_CONTROL_SECRET=...
 * It verifies the Standard Webhooks signature, refuses timestamps more than 5 minutes off, acts once
 * per request id (every retry of one action carries the same id), prints the action and answers 202.
 * Replace act() with the call that really restarts or rolls back the deployment; then report the
 * outcome with POST /api/deployments/{id}/events.
 */
public class ControlReceiver {
  static final long TOLERANCE_SECONDS = 300;
  static final Set<String> seen = ConcurrentHashMap.newKeySet();

  public static void main(String[] args) throws IOException {
    String secret = System.getenv("CONTROL_SECRET");
    if (secret == null || secret.isEmpty()) {
      System.err.println("set CONTROL_SECRET to the value of OPSAGENT_PLATFORM_CONTROL_SECRET");
      System.exit(2);
    }
    byte[] key = secret.startsWith("whsec_")
        ? Base64.getDecoder().decode(secret.substring(6)) : secret.getBytes(StandardCharsets.UTF_8);
    int port = Integer.parseInt(System.getenv().getOrDefault("PORT", "9000"));
    HttpServer server = HttpServer.create(new InetSocketAddress(port), 0);
    server.createContext("/control", exchange -> handle(exchange, key));
    server.start();
    System.out.println("control receiver listening on port " + server.getAddress().getPort());
    System.out.flush();
  }

  static void handle(HttpExchange exchange, byte[] key) throws IOException {
    byte[] body = exchange.getRequestBody().readAllBytes();
    String id = exchange.getRequestHeaders().getFirst("webhook-id");
    String timestamp = exchange.getRequestHeaders().getFirst("webhook-timestamp");
    String signatures = exchange.getRequestHeaders().getFirst("webhook-signature");
    if (!"POST".equals(exchange.getRequestMethod())) {
      answer(exchange, 405, "{\"error\":\"POST only\"}");
    } else if (id == null || timestamp == null || signatures == null || !timestamp.matches("\\d{1,12}")) {
      answer(exchange, 401, "{\"error\":\"webhook-id, webhook-timestamp and webhook-signature are required\"}");
    } else if (Math.abs(System.currentTimeMillis() / 1000 - Long.parseLong(timestamp)) > TOLERANCE_SECONDS) {
      answer(exchange, 401, "{\"error\":\"timestamp too old or too far ahead\"}");
    } else if (!signed(key, id, timestamp, body, signatures)) {
      answer(exchange, 401, "{\"error\":\"signature does not match\"}");
    } else {
      if (seen.add(id)) {
        act(new String(body, StandardCharsets.UTF_8));
      }
      answer(exchange, 202, "{\"accepted\":true,\"id\":\"" + id + "\"}");
    }
  }

  /** True when one of the space-separated "v1,<base64>" signatures is HMAC-SHA256 of "id.timestamp.body". */
  static boolean signed(byte[] key, String id, String timestamp, byte[] body, String signatures) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      mac.update((id + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8));
      byte[] expected = ("v1," + Base64.getEncoder().encodeToString(mac.doFinal(body))).getBytes(StandardCharsets.UTF_8);
      for (String candidate : signatures.split(" ")) {
        if (MessageDigest.isEqual(expected, candidate.getBytes(StandardCharsets.UTF_8))) {
          return true;
        }
      }
      return false;
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Here the platform would restart or roll back; the sample prints what it was asked. */
  static void act(String json) {
    System.out.println(field(json, "action") + " deployment=" + field(json, "deploymentId")
        + " tenant=" + field(json, "tenantId") + " toVersion=" + field(json, "toVersion")
        + " id=" + field(json, "id") + " reason=\"" + field(json, "reason") + "\"");
    System.out.flush();
  }

  /** A string field of the flat request body (a real receiver would use its JSON library). */
  static String field(String json, String name) {
    Matcher m = Pattern.compile("\"" + name + "\":\"((?:[^\"\\\\]|\\\\.)*)\"").matcher(json);
    return m.find() ? m.group(1) : null;
  }

  static void answer(HttpExchange exchange, int status, String json) throws IOException {
    byte[] out = json.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, out.length);
    exchange.getResponseBody().write(out);
    exchange.close();
  }
}
