package io.opsagent.action;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.opsagent.Json;
import io.opsagent.notify.send.WebhookSender;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * POSTs one control request to {@code OPSAGENT_PLATFORM_CONTROL_URL}:
 * {@code {"id","action","tenantId","deploymentId","toVersion"?,"reason","runId","requestedAt"}},
 * signed like a webhook (Standard Webhooks headers, {@code webhook-id} = the action's id). The body
 * is the same bytes on every attempt of one action, so a platform that de-duplicates by {@code id}
 * acts once. The URL is the operator's configuration, not tenant input: no SSRF guard applies, and
 * redirects are not followed.
 */
final class ControlClient implements AutoCloseable {
  private static final ObjectMapper JSON = Json.MAPPER;
  private static final MediaType APPLICATION_JSON = MediaType.get("application/json");
  static final Duration TIMEOUT = Duration.ofSeconds(15);

  /** How one attempt ended: only {@link Retry} is worth another attempt. */
  sealed interface Outcome {
    record Accepted(int status) implements Outcome {}

    /** A 4xx (or other non-2xx, non-5xx) answer: the platform refused; never retried. */
    record Refused(int status) implements Outcome {}

    /** A 5xx answer or no answer at all (connection refused, timeout). */
    record Retry(String error) implements Outcome {}
  }

  private final URI url;
  private final String secret;
  private final Clock clock;
  private final OkHttpClient http;

  ControlClient(URI url, String secret, Clock clock) {
    this.url = url;
    this.secret = secret;
    this.clock = clock;
    this.http = new OkHttpClient.Builder()
        .followRedirects(false).followSslRedirects(false)
        .connectTimeout(TIMEOUT).readTimeout(TIMEOUT).writeTimeout(TIMEOUT).callTimeout(TIMEOUT)
        .build();
  }

  static byte[] body(OpsAction a) {
    ObjectNode o = JSON.createObjectNode();
    o.put("id", a.id());
    o.put("action", a.action().wire());
    o.put("tenantId", a.tenantId());
    o.put("deploymentId", a.deploymentId());
    if (a.toVersion() != null) {
      o.put("toVersion", a.toVersion());
    }
    o.put("reason", a.reason());
    o.put("runId", a.runId());
    o.put("requestedAt", a.requestedAt().toString());
    return o.toString().getBytes(StandardCharsets.UTF_8);
  }

  Outcome send(OpsAction a) {
    byte[] body = body(a);
    String timestamp = String.valueOf(clock.instant().getEpochSecond());
    String signature = WebhookSender.standardSignature(secret, a.id(), timestamp, body)
        .orElseThrow(() -> new IllegalStateException("OPSAGENT_PLATFORM_CONTROL_SECRET starts with"
            + " whsec_ but the rest is not base64"));
    Request request = new Request.Builder()
        .url(url.toString())
        .header("User-Agent", "opsagent")
        .header("webhook-id", a.id())
        .header("webhook-timestamp", timestamp)
        .header("webhook-signature", signature)
        .post(RequestBody.create(body, APPLICATION_JSON))
        .build();
    try (Response response = http.newCall(request).execute()) {
      int status = response.code();
      if (status >= 200 && status < 300) {
        return new Outcome.Accepted(status);
      }
      return status >= 500 ? new Outcome.Retry("platform answered HTTP " + status)
          : new Outcome.Refused(status);
    } catch (IOException e) {
      return new Outcome.Retry(e.getClass().getSimpleName()
          + (e.getMessage() == null ? "" : ": " + e.getMessage()));
    }
  }

  @Override
  public void close() {
    http.dispatcher().executorService().shutdown();
    http.connectionPool().evictAll();
  }
}
