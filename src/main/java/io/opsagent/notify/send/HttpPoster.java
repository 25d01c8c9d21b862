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
  /** How much of an answer's body is read for a failure's reason. */
  private static final long MAX_ANSWER = 2048;

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

  /** What a receiver answered: its status and, unless it is 2xx, the start of its body (a failure's reason). */
  public record Answer(int status, String body) {
    public boolean ok() {
      return status >= 200 && status < 300;
    }
  }

  public SendOutcome post(NotificationChannel channel, byte[] json, Map<String, String> headers) {
    return post(channel, channel.text("url").orElse(""), json, headers,
        answer -> answer.ok() ? SendOutcome.delivered() : SendOutcome.failed("receiver answered HTTP " + answer.status()));
  }

  /**
   * As {@link #post(NotificationChannel, byte[], Map)}, to {@code url} (checked by the same guard),
   * with {@code judge} deciding what the answer means; a failure's text is redacted of the channel's
   * secrets.
   */
  public SendOutcome post(NotificationChannel channel, String url, byte[] json, Map<String, String> headers,
      java.util.function.Function<Answer, SendOutcome> judge) {
    try {
      URI uri = AddressGuard.parseHttpUrl(url, "config.url");
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
        Answer answer = new Answer(status, status >= 200 && status < 300 ? "" : bodyOf(response));
        SendOutcome outcome = judge.apply(answer);
        return outcome instanceof SendOutcome.Failed f
            ? new SendOutcome.Failed(channel.redact(f.error()), f.retryable()) : outcome;
      }
    } catch (IOException | RuntimeException e) {
      return SendOutcome.failed(channel, e);
    }
  }

  /** The start of a failed answer's body; one that cannot be read is no reason of its own to fail. */
  private static String bodyOf(Response response) {
    try {
      return response.peekBody(MAX_ANSWER).string();
    } catch (IOException e) {
      return "";
    }
  }

  @Override
  public void close() {
    client.dispatcher().executorService().shutdown();
    client.connectionPool().evictAll();
  }
}
