package io.opsagent.notify;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A loopback HTTP receiver for webhook tests: answers with scripted statuses (then 200 for ever)
 * and records every request it got.
 */
public final class TestReceiver implements AutoCloseable {
  /** One request received; {@code arrivedNanos} is {@link System#nanoTime()} on arrival. */
  public record Request(String path, Map<String, List<String>> headers, byte[] body, int answered,
      long arrivedNanos) {
    /** The body as JSON (every payload opsagent posts is JSON). */
    public com.fasterxml.jackson.databind.JsonNode payload() {
      try {
        return new com.fasterxml.jackson.databind.ObjectMapper().readTree(body);
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }

    public String header(String name) {
      return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
          .map(e -> e.getValue().get(0)).findFirst().orElse(null);
    }
  }

  private final HttpServer server;
  private final Deque<Integer> script = new ArrayDeque<>();
  private final List<Request> requests = new CopyOnWriteArrayList<>();
  private volatile int foreverAfter;

  private TestReceiver(int foreverAfter, int... statuses) throws IOException {
    this.foreverAfter = foreverAfter;
    for (int s : statuses) {
      script.add(s);
    }
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", exchange -> {
      long arrived = System.nanoTime();
      byte[] body;
      try (InputStream in = exchange.getRequestBody()) {
        body = in.readAllBytes();
      }
      int status;
      synchronized (script) {
        status = script.isEmpty() ? this.foreverAfter : script.poll();
      }
      requests.add(new Request(exchange.getRequestURI().getPath(),
          Map.copyOf(exchange.getRequestHeaders()), body, status, arrived));
      exchange.sendResponseHeaders(status, -1);
      exchange.close();
    });
    server.start();
  }

  /** Answers {@code statuses} in order, then 200. */
  public static TestReceiver answering(int... statuses) throws IOException {
    return new TestReceiver(200, statuses);
  }

  public static TestReceiver alwaysFailing(int status) throws IOException {
    return new TestReceiver(status);
  }

  /** From now on (once the script is used up) answers {@code status}: a receiver going down or coming back. */
  public void answerFromNow(int status) {
    this.foreverAfter = status;
  }

  public String url(String path) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + path;
  }

  public List<Request> requests() {
    return List.copyOf(requests);
  }

  public long successes() {
    return requests.stream().filter(r -> r.answered() >= 200 && r.answered() < 300).count();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
