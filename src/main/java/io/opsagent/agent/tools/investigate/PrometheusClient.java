package io.opsagent.agent.tools.investigate;

import com.fasterxml.jackson.databind.JsonNode;
import io.opsagent.Json;
import io.opsagent.agent.cycle.Redactor;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import okhttp3.Credentials;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/**
 * Asks Prometheus's HTTP API: {@code /api/v1/query_range} (start = end − range, about
 * {@link #POINTS} steps) or, without a range, {@code /api/v1/query} at one instant. Credentials in
 * the base URL's user info go as Basic authentication. The URL is operator configuration (no SSRF
 * guard); at most {@link #MAX_READ} bytes of an answer are read.
 */
final class PrometheusClient {
  static final Duration TIMEOUT = Duration.ofSeconds(5);
  static final int POINTS = 60;
  static final long MAX_READ = 4 << 20;

  private final HttpUrl base;
  private final String authorization;
  private final OkHttpClient http;

  PrometheusClient(URI baseUrl) {
    String userInfo = baseUrl.getRawUserInfo();
    URI withoutUser = URI.create(baseUrl.toString().replaceFirst("//[^/@]*@", "//"));
    this.base = HttpUrl.get(withoutUser.toString());
    this.authorization = userInfo == null ? null : Credentials.basic(
        decode(userInfo.split(":", 2)[0]), userInfo.contains(":") ? decode(userInfo.split(":", 2)[1]) : "");
    this.http = new OkHttpClient.Builder().followRedirects(false)
        .connectTimeout(TIMEOUT).readTimeout(TIMEOUT).callTimeout(TIMEOUT).build();
  }

  private static String decode(String s) {
    return java.net.URLDecoder.decode(s, StandardCharsets.UTF_8);
  }

  /** The {@code data} of Prometheus's answer to {@code promql} over {@code range} (null: an instant query). */
  JsonNode query(String promql, Duration range, Instant end) throws IOException {
    HttpUrl.Builder url = base.newBuilder();
    if (range == null) {
      url.addPathSegments("api/v1/query").addQueryParameter("query", promql)
          .addQueryParameter("time", seconds(end));
    } else {
      long step = Math.max(1, range.toSeconds() / POINTS);
      url.addPathSegments("api/v1/query_range").addQueryParameter("query", promql)
          .addQueryParameter("start", seconds(end.minus(range))).addQueryParameter("end", seconds(end))
          .addQueryParameter("step", step + "s");
    }
    Request.Builder request = new Request.Builder().url(url.build()).header("User-Agent", "opsagent")
        .header("Accept", "application/json").get();
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    Response answered;
    try {
      answered = http.newCall(request.build()).execute();
    } catch (IOException e) {
      throw new IOException("Prometheus did not answer (" + e.getClass().getSimpleName() + ")");
    }
    try (Response response = answered) {
      String text = new String(response.peekBody(MAX_READ).bytes(), StandardCharsets.UTF_8);
      JsonNode root;
      try {
        root = Json.MAPPER.readTree(text);
      } catch (IOException e) {
        throw new IOException("Prometheus answered HTTP " + response.code() + " without a readable JSON body");
      }
      if (!"success".equals(root.path("status").asText())) {
        throw new IOException("Prometheus answered HTTP " + response.code() + ": "
            + Json.truncate(Redactor.redact(root.path("errorType").asText("") + " "
                + root.path("error").asText("")).strip(), 300));
      }
      return root.path("data");
    }
  }

  private static String seconds(Instant t) {
    return String.valueOf(t.getEpochSecond());
  }

  void close() {
    http.dispatcher().executorService().shutdown();
    http.connectionPool().evictAll();
  }
}
