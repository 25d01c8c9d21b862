package io.opsagent.agent.tools.investigate;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.opsagent.Json;
import io.opsagent.agent.cycle.Redactor;
import io.opsagent.notify.AddressGuard;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/**
 * One GET of a deployment's {@code healthUrl}, through the SSRF guard: the URL is checked before
 * the attempt and the connection resolves names only through {@link AddressGuard#vettedAddresses},
 * so a health URL cannot reach this host or the platform's network unless the operator allowed
 * private health URLs. Redirects are not followed; the whole call takes at most {@link #TIMEOUT}.
 * What comes back is the status, the latency and at most {@link #MAX_BODY} bytes of the body,
 * redacted and on one line.
 */
final class HealthProbe implements AutoCloseable {
  static final Duration TIMEOUT = Duration.ofSeconds(2);
  static final int MAX_BODY = 1024;

  /** How a probe ended: {@code answered} (any HTTP status), {@code unreachable}, {@code refused} or {@code invalid_url}. */
  record Result(String outcome, int status, long latencyMs, String body, String detail) {
    boolean healthy() {
      return outcome.equals("answered") && status >= 200 && status < 300;
    }

    /** Whether the endpoint was asked at all (not refused by the guard, not an invalid URL). */
    boolean probed() {
      return outcome.equals("answered") || outcome.equals("unreachable");
    }

    ObjectNode json() {
      ObjectNode o = Json.MAPPER.createObjectNode().put("outcome", outcome);
      if (outcome.equals("answered")) {
        o.put("status", status).put("healthy", healthy()).put("latencyMs", latencyMs).put("untrustedBody", body);
      } else {
        o.put("detail", detail);
        if (outcome.equals("unreachable")) {
          o.put("latencyMs", latencyMs);
        }
      }
      return o;
    }

    /** One line for people: "HTTP 503 in 12 ms", "no answer (timeout after 2 s)". */
    String brief() {
      return switch (outcome) {
        case "answered" -> "HTTP " + status + " in " + latencyMs + " ms";
        case "unreachable" -> "no answer (" + detail + ")";
        default -> "not probed (" + detail + ")";
      };
    }
  }

  private final AddressGuard guard;
  private final OkHttpClient http;

  HealthProbe(AddressGuard guard) {
    this.guard = guard;
    this.http = new OkHttpClient.Builder()
        .dns(guard::vettedAddresses)
        .followRedirects(false).followSslRedirects(false)
        .connectTimeout(TIMEOUT).readTimeout(TIMEOUT).writeTimeout(TIMEOUT).callTimeout(TIMEOUT)
        .retryOnConnectionFailure(false)
        .build();
  }

  Result probe(String healthUrl) {
    URI uri;
    try {
      uri = AddressGuard.parseHttpUrl(healthUrl, "healthUrl");
    } catch (IllegalArgumentException e) {
      return new Result("invalid_url", 0, 0, null, e.getMessage());
    }
    Optional<String> refused = guard.refusal(uri);
    if (refused.isPresent()) {
      return refusedResult(refused.get());
    }
    long t0 = System.nanoTime();
    Request request = new Request.Builder().url(uri.toString()).header("User-Agent", "opsagent-probe").get().build();
    try (Response response = http.newCall(request).execute()) {
      long ms = (System.nanoTime() - t0) / 1_000_000;
      String body = new String(response.peekBody(MAX_BODY).bytes(), StandardCharsets.UTF_8);
      // redacted first, then cut: a redaction may lengthen the text, a cut must not split a secret
      return new Result("answered", response.code(), ms, Json.truncate(oneLine(Redactor.redact(body)), MAX_BODY), null);
    } catch (UnknownHostException e) {
      String m = String.valueOf(e.getMessage());
      return m.startsWith("refused: ") ? refusedResult(m.substring("refused: ".length()))
          : new Result("unreachable", 0, elapsed(t0), null, "the host does not resolve");
    } catch (InterruptedIOException e) {
      return new Result("unreachable", 0, elapsed(t0), null, "timeout after " + TIMEOUT.toSeconds() + " s");
    } catch (IOException e) {
      return new Result("unreachable", 0, elapsed(t0), null,
          Redactor.redact(e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage())));
    }
  }

  private static Result refusedResult(String why) {
    String reason = why.replaceAll(";? ?set OPSAGENT_ALLOW_PRIVATE_WEBHOOKS=true to allow it", "");
    return new Result("refused", 0, 0, null,
        reason + " (private health URLs are not allowed: OPSAGENT_ALLOW_PRIVATE_HEALTH_URLS)");
  }

  private static long elapsed(long t0) {
    return (System.nanoTime() - t0) / 1_000_000;
  }

  static String oneLine(String text) {
    return text.replaceAll("[\\p{Cntrl}\\s]+", " ").strip();
  }

  @Override
  public void close() {
    http.dispatcher().executorService().shutdown();
    http.connectionPool().evictAll();
  }
}
