package io.opsagent.support;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

/**
 * A tiny HTTP server on 127.0.0.1 standing in for a deployment's health endpoint, the platform's
 * logs endpoint or Prometheus: it records every request (method, raw path and query, headers) and
 * answers with the status, content type and body set last.
 */
public final class FakeEndpoint implements AutoCloseable {
  public record Request(String method, URI uri, Map<String, List<String>> headers) {
    public String header(String name) {
      return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
          .map(e -> e.getValue().get(0)).findFirst().orElse(null);
    }

    /** The decoded value of query parameter {@code name}, or null. */
    public String param(String name) {
      for (String pair : uri.getRawQuery() == null ? new String[0] : uri.getRawQuery().split("&")) {
        String[] kv = pair.split("=", 2);
        if (kv[0].equals(name)) {
          return java.net.URLDecoder.decode(kv.length == 2 ? kv[1] : "", StandardCharsets.UTF_8);
        }
      }
      return null;
    }
  }

  private final HttpServer server;
  private final List<Request> requests = new CopyOnWriteArrayList<>();
  private volatile int status = 200;
  private volatile String contentType = "text/plain";
  private volatile byte[] body = new byte[0];

  private FakeEndpoint() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", this::handle);
    server.setExecutor(Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "fake-endpoint");
      t.setDaemon(true);
      return t;
    }));
    server.start();
  }

  public static FakeEndpoint start() {
    try {
      return new FakeEndpoint();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public FakeEndpoint answer(int status, String contentType, String body) {
    this.status = status;
    this.contentType = contentType;
    this.body = body.getBytes(StandardCharsets.UTF_8);
    return this;
  }

  public String url(String pathAndQuery) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + pathAndQuery;
  }

  public List<Request> requests() {
    return List.copyOf(requests);
  }

  private void handle(HttpExchange ex) throws IOException {
    requests.add(new Request(ex.getRequestMethod(), ex.getRequestURI(), Map.copyOf(ex.getRequestHeaders())));
    byte[] b = body;
    ex.getResponseHeaders().add("Content-Type", contentType);
    ex.sendResponseHeaders(status, b.length == 0 ? -1 : b.length);
    if (b.length > 0) {
      ex.getResponseBody().write(b);
    }
    ex.close();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
