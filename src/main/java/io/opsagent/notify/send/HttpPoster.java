package io.opsagent.notify.send;

import io.opsagent.notify.AddressGuard;
import io.opsagent.notify.NotificationChannel;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * POSTs JSON to a channel's URL, never to an address the SSRF guard refuses: the URL is checked
 * before the attempt (a clear reason for a literal or plainly private host), and the connection
 * itself resolves names only through {@link AddressGuard#vettedAddresses}, so what was checked is
 * what is connected to. Redirects are not followed (one could lead to a refused address); any
 * non-2xx answer is a failure.
 */
public final class HttpPoster implements AutoCloseable {
  private static final MediaType JSON = MediaType.get("application/json");

  private final OkHttpClient client;
  private final AddressGuard guard;

  public HttpPoster(AddressGuard guard, Duration timeout) {
    this.guard = guard;
    this.client = new OkHttpClient.Builder()
        .dns(guard::vettedAddresses)
        .followRedirects(false)
        .followSslRedirects(false)
        .connectTimeout(timeout)
        .readTimeout(timeout)
        .writeTimeout(timeout)
        .callTimeout(timeout)
        .build();
  }

  public SendOutcome post(NotificationChannel channel, byte[] json, Map<String, String> headers) {
    try {
      URI uri = AddressGuard.parseHttpUrl(channel.text("url").orElse(""), "config.url");
      Optional<String> refusal = guard.refusal(uri);
      if (refusal.isPresent()) {
        return SendOutcome.failed("refused: " + refusal.get());
      }
      Request.Builder request = new Request.Builder()
          .url(uri.toURL())
          .header("User-Agent", "opsagent")
          .post(RequestBody.create(json, JSON));
      headers.forEach(request::header);
      try (Response response = client.newCall(request.build()).execute()) {
        int status = response.code();
        return status >= 200 && status < 300
            ? SendOutcome.delivered()
            : SendOutcome.failed("receiver answered HTTP " + status);
      }
    } catch (IOException | RuntimeException e) {
      return SendOutcome.failed(channel, e);
    }
  }

  @Override
  public void close() {
    client.dispatcher().executorService().shutdown();
    client.connectionPool().evictAll();
  }
}
