package io.opsagent.agent.tools.investigate;

import com.fasterxml.jackson.databind.JsonNode;
import io.opsagent.Json;
import io.opsagent.agent.cycle.Redactor;
import io.opsagent.db.Ids;
import io.opsagent.notify.send.WebhookSender;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okio.BufferedSource;

/**
 * A deployment's last log lines from the platform: one signed {@code GET} of
 * {@code OPSAGENT_PLATFORM_LOGS_URL}, whose {@code {deploymentId}}, {@code {externalId}},
 * {@code {tenantId}} and {@code {workspaceId}} are replaced by the deployment's values
 * (URL-encoded), with {@code lines=N&previous=true|false} appended to its query.
 *
 * <p>Signed like the control requests, with Standard Webhooks headers: {@code webhook-id} (fresh for
 * each request), {@code webhook-timestamp} (Unix seconds) and {@code webhook-signature}
 * ({@code v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{path and query}">}): a GET has no body, so
 * what is signed in its place is the request's raw path and query as sent, e.g.
 * {@code /logs/d-1?lines=50&previous=false}. The platform answers 2xx with JSON
 * {@code {"lines": ["…", …]}} (oldest first) or with {@code text/plain}, one line per line; at most
 * {@link #MAX_READ} bytes of an answer are read. The URL is operator configuration: no SSRF guard.
 */
final class PlatformLogSource implements LogSource {
  static final Duration TIMEOUT = Duration.ofSeconds(3);
  static final long MAX_READ = 1 << 20;

  private final String template;
  private final String secret;
  private final Clock clock;
  private final OkHttpClient http;

  PlatformLogSource(String template, String secret, Clock clock) {
    this.template = template;
    this.secret = secret;
    this.clock = clock;
    this.http = new OkHttpClient.Builder()
        .followRedirects(false).followSslRedirects(false)
        .connectTimeout(TIMEOUT).readTimeout(TIMEOUT).callTimeout(TIMEOUT)
        .build();
  }

  @Override
  public String name() {
    return "platform";
  }

  /** The URL asked for {@code target}: the template filled in, then {@code lines} and {@code previous}. */
  URI url(Target target, int lines, boolean previous) {
    String url = template;
    for (String p : io.opsagent.config.InvestigationConfig.URL_PLACEHOLDERS) {
      url = url.replace("{" + p + "}", URLEncoder.encode(target.value(p).orElse(""), StandardCharsets.UTF_8));
    }
    String params = "lines=" + lines + "&previous=" + previous;
    return URI.create(url + (url.contains("?") ? "&" : "?") + params);
  }

  @Override
  public Lines last(Target target, int lines, boolean previous) throws IOException {
    URI url = url(target, lines, previous);
    String id = "logs_" + Ids.newId();
    String timestamp = String.valueOf(clock.instant().getEpochSecond());
    String signed = url.getRawPath() + "?" + url.getRawQuery();
    String signature = WebhookSender.standardSignature(secret, id, timestamp, signed.getBytes(StandardCharsets.UTF_8))
        .orElseThrow(() -> new IllegalStateException("the logs signing secret starts with whsec_ but is not base64"));
    Request request = new Request.Builder().url(url.toString())
        .header("User-Agent", "opsagent")
        .header("Accept", "application/json, text/plain")
        .header("webhook-id", id)
        .header("webhook-timestamp", timestamp)
        .header("webhook-signature", signature)
        .get().build();
    try (Response response = answer(request)) {
      ResponseBody body = response.body();
      BufferedSource source = body.source();
      boolean more = source.request(MAX_READ + 1);
      String text = source.getBuffer().readString(Math.min(MAX_READ, source.getBuffer().size()),
          StandardCharsets.UTF_8);
      if (!response.isSuccessful()) {
        throw new IOException("the platform answered HTTP " + response.code()
            + (text.isBlank() ? "" : ": " + Json.truncate(HealthProbe.oneLine(Redactor.redact(text)), 200)));
      }
      String type = body.contentType() == null ? "" : body.contentType().subtype();
      if (more && type.contains("json")) {
        throw new IOException("the platform's answer is longer than " + (MAX_READ >> 20) + " MiB: it should send"
            + " only the lines asked for");
      }
      return new Lines(type.contains("json") ? jsonLines(text) : textLines(text, more), more);
    }
  }

  /** The platform's answer; a failure to get one says what happened, never where (the URL is configuration). */
  private Response answer(Request request) throws IOException {
    try {
      return http.newCall(request).execute();
    } catch (IOException e) {
      throw new IOException("the platform's logs endpoint did not answer (" + e.getClass().getSimpleName() + ")");
    }
  }

  private static List<String> jsonLines(String text) throws IOException {
    JsonNode root = Json.MAPPER.readTree(text);
    if (!root.path("lines").isArray()) {
      throw new IOException("the platform's JSON answer has no \"lines\" array");
    }
    List<String> out = new ArrayList<>();
    root.get("lines").forEach(l -> out.add(l.isTextual() ? l.asText() : l.toString()));
    return out;
  }

  private static List<String> textLines(String text, boolean cut) {
    List<String> out = new ArrayList<>(List.of(text.split("\r?\n", -1)));
    if (!out.isEmpty() && out.get(out.size() - 1).isEmpty()) {
      out.remove(out.size() - 1);
    }
    if (cut && !out.isEmpty()) {
      out.remove(out.size() - 1); // the last line read may be incomplete
    }
    return out;
  }

  void close() {
    http.dispatcher().executorService().shutdown();
    http.connectionPool().evictAll();
  }
}
