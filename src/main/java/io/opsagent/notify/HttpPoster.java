package io.opsagent.notify;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * POSTs JSON to a channel's URL after the SSRF guard has checked where its host resolves now.
 * Redirects are not followed (one could lead to a refused address); any non-2xx answer is a failure.
 */
final class HttpPoster {
  private final HttpClient client;
  private final AddressGuard guard;
  private final Duration timeout;

  HttpPoster(AddressGuard guard, Duration timeout) {
    this.guard = guard;
    this.timeout = timeout;
    this.client = HttpClient.newBuilder()
        .connectTimeout(timeout)
        .followRedirects(HttpClient.Redirect.NEVER)
        .build();
  }

  SendOutcome post(NotificationChannel channel, byte[] json, Map<String, String> headers) {
    try {
      URI uri = AddressGuard.parseHttpUrl(channel.text("url").orElse(""), "config.url");
      Optional<String> refusal = guard.refusal(uri);
      if (refusal.isPresent()) {
        return SendOutcome.failed("refused: " + refusal.get());
      }
      HttpRequest.Builder request = HttpRequest.newBuilder(uri)
          .timeout(timeout)
          .header("Content-Type", "application/json")
          .header("User-Agent", "opsagent")
          .POST(HttpRequest.BodyPublishers.ofByteArray(json));
      headers.forEach(request::header);
      HttpResponse<Void> response =
          client.send(request.build(), HttpResponse.BodyHandlers.discarding());
      int status = response.statusCode();
      return status >= 200 && status < 300
          ? SendOutcome.delivered()
          : SendOutcome.failed("receiver answered HTTP " + status);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return SendOutcome.failed("interrupted (shutting down)");
    } catch (Exception e) {
      return SendOutcome.failed(channel, e);
    }
  }
}
