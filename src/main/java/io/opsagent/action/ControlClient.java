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
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
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
 *
 * <p>What the platform answered travels on as {@link #answer}: the status and at most
 * {@link #MAX_ANSWER} characters of the response body on one line, with the control secret and the
 * URL's credentials, path and query replaced by {@code [redacted]}, since it ends up in
 * {@code ops_actions.last_error} and in the alert that tells the tenant an action failed.
 */
final class ControlClient implements AutoCloseable {
  private static final ObjectMapper JSON = Json.MAPPER;
  private static final MediaType APPLICATION_JSON = MediaType.get("application/json");
  static final Duration TIMEOUT = Duration.ofSeconds(15);
  /** The most of a response body kept (characters, after flattening to one line). */
  static final int MAX_ANSWER = 300;
  private static final long MAX_BODY_READ = 4096;
  private static final String REDACTED = "[redacted]";

  /** How one attempt ended: only {@link Retry} is worth another attempt. */
  sealed interface Outcome {
    record Accepted(int status) implements Outcome {}

    /**
     * A 4xx (or other non-2xx, non-5xx) answer: the platform refused; never retried. {@code answer}
     * is {@code "HTTP 409: <body>"}, the body shortened and redacted.
     */
    record Refused(int status, String answer) implements Outcome {}

    /**
     * A 5xx answer ({@code "platform answered HTTP 503: <body>"}) or no answer at all (connection
     * refused, timeout: the exception), redacted like {@link Refused#answer}.
     */
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
      String answer = answer(status, bodyOf(response));
      return status >= 500 ? new Outcome.Retry("platform answered " + answer)
          : new Outcome.Refused(status, answer);
    } catch (IOException e) {
      return new Outcome.Retry(redact(e.getClass().getSimpleName()
          + (e.getMessage() == null ? "" : ": " + e.getMessage())));
    }
  }

  /** {@code "HTTP <status>"}, then {@code ": <body>"} when there is one: one line, shortened, redacted. */
  String answer(int status, String body) {
    String flat = redact(body == null ? "" : body).replaceAll("[\\p{Cntrl}\\s]+", " ").strip();
    if (flat.length() > MAX_ANSWER) {
      int end = Character.isHighSurrogate(flat.charAt(MAX_ANSWER - 1)) ? MAX_ANSWER - 1 : MAX_ANSWER;
      flat = flat.substring(0, end) + "…";
    }
    return "HTTP " + status + (flat.isEmpty() ? "" : ": " + flat);
  }

  /** The start of the response body; an unreadable one is described, never a reason to retry. */
  private static String bodyOf(Response response) {
    try {
      return response.peekBody(MAX_BODY_READ).string();
    } catch (IOException e) {
      return "(response body unreadable: " + e.getClass().getSimpleName() + ")";
    }
  }

  /** {@code text} without the control secret or the URL's credentials, path and query. */
  String redact(String text) {
    String out = text;
    for (String secret : secrets()) {
      out = out.replace(secret, REDACTED);
    }
    return out;
  }

  /** What must never leave in an answer, longest first (so the URL goes before its parts). */
  private List<String> secrets() {
    List<String> all = new ArrayList<>();
    all.add(secret);
    all.add(url.toString());
    if (url.getRawPath() != null && url.getRawPath().length() > 1) {
      all.add(url.getRawPath() + (url.getRawQuery() == null ? "" : "?" + url.getRawQuery()));
      all.add(url.getRawPath());
    }
    all.add(url.getRawQuery());
    all.add(url.getRawUserInfo());
    return all.stream().filter(s -> s != null && s.length() >= 4).distinct()
        .sorted(Comparator.comparingInt(String::length).reversed()).toList();
  }

  @Override
  public void close() {
    http.dispatcher().executorService().shutdown();
    http.connectionPool().evictAll();
  }
}
