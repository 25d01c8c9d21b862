package io.opsagent.eval;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.opsagent.Json;
import io.opsagent.eval.ToolAnswers.Health;
import io.opsagent.eval.ToolAnswers.Logs;
import io.opsagent.eval.ToolAnswers.Series;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What the investigation tools reach in a run, answered from the cases: one loopback HTTP server
 * that is every deployment's health endpoint ({@code /health/{deploymentId}}), the platform's logs
 * endpoint ({@code /logs/{deploymentId}}, which checks nothing and answers the case's lines) and
 * Prometheus ({@link FakePrometheus}). It is routed by deployment id, fresh in every case, so one
 * server serves the whole run. {@link #env()} points the real tools at it.
 */
final class ToolEndpoints implements AutoCloseable {
  private record Script(List<Health> health, AtomicInteger probes, Logs logs, Map<String, List<Series>> metrics) {}

  private final HttpServer server;
  private final ExecutorService executor;
  private final Map<String, Script> scripts = new ConcurrentHashMap<>();
  private final String logsSecret;

  ToolEndpoints() {
    try {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    // probes, logs and queries of one cycle come in parallel; a slow health answer must not hold the others
    executor = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "opsagent-eval-tools");
      t.setDaemon(true);
      return t;
    });
    server.setExecutor(executor);
    server.createContext("/health/", this::health);
    server.createContext("/logs/", this::logs);
    server.createContext("/api/v1/", this::prometheus);
    server.start();
    byte[] secret = new byte[24];
    new SecureRandom().nextBytes(secret);
    logsSecret = Base64.getEncoder().encodeToString(secret);
  }

  private String base() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** The settings that point the tools here: logs URL and its signing key, Prometheus and its templates, private health URLs. */
  Map<String, String> env() {
    return Map.of("OPSAGENT_PLATFORM_LOGS_URL", base() + "/logs/{deploymentId}",
        "OPSAGENT_PLATFORM_LOGS_SECRET", logsSecret,
        "OPSAGENT_PROMETHEUS_URL", base(),
        "OPSAGENT_PROMETHEUS_QUERIES", FakePrometheus.queries(),
        "OPSAGENT_ALLOW_PRIVATE_HEALTH_URLS", "true");
  }

  /** The {@code healthUrl} of a deployment whose probes this server answers. */
  String healthUrl(String deploymentId) {
    return base() + "/health/" + deploymentId;
  }

  /** From now on, answers about {@code deploymentId} come from these (empty: no answer, no lines, no series). */
  void script(String deploymentId, List<Health> health, Logs logs, Map<String, List<Series>> metrics) {
    scripts.put(deploymentId, new Script(List.copyOf(health), new AtomicInteger(), logs, Map.copyOf(metrics)));
  }

  void forget(String deploymentId) {
    scripts.remove(deploymentId);
  }

  private void health(HttpExchange exchange) throws IOException {
    Script s = scripts.get(last(exchange));
    if (s == null || s.health().isEmpty()) {
      send(exchange, 404, "text/plain", "no such deployment");
      return;
    }
    Health h = s.health().get(Math.min(s.probes().getAndIncrement(), s.health().size() - 1));
    if (h.ms() > 0) {
      try {
        TimeUnit.MILLISECONDS.sleep(h.ms()); // the endpoint's latency, as the case says
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        exchange.close();
        return;
      }
    }
    if (h.unreachable()) {
      exchange.close(); // closed without an answer: the probe sees the connection end
      return;
    }
    send(exchange, h.status(), "text/plain", h.body());
  }

  private void logs(HttpExchange exchange) throws IOException {
    Script s = scripts.get(last(exchange));
    Map<String, String> params = params(exchange);
    List<String> lines = s == null ? List.of()
        : "true".equals(params.get("previous")) ? s.logs().previous() : s.logs().lines();
    int n = lines.size();
    try {
      n = Math.max(0, Math.min(n, Integer.parseInt(params.getOrDefault("lines", String.valueOf(n)))));
    } catch (NumberFormatException e) {
      send(exchange, 400, "application/json", "{\"error\": \"lines must be a number\"}");
      return;
    }
    ObjectNode body = Json.MAPPER.createObjectNode();
    lines.subList(lines.size() - n, lines.size()).forEach(body.putArray("lines")::add);
    send(exchange, 200, "application/json", body.toString());
  }

  private void prometheus(HttpExchange exchange) throws IOException {
    FakePrometheus.Answer a = FakePrometheus.answer(exchange.getRequestURI().getPath(), params(exchange),
        id -> {
          Script s = scripts.get(id);
          return s == null ? Map.of() : s.metrics();
        });
    send(exchange, a.status(), "application/json", a.json());
  }

  private static String last(HttpExchange exchange) {
    String path = exchange.getRequestURI().getPath();
    return path.substring(path.lastIndexOf('/') + 1);
  }

  private static Map<String, String> params(HttpExchange exchange) {
    Map<String, String> out = new HashMap<>();
    String query = exchange.getRequestURI().getRawQuery();
    if (query != null) {
      for (String pair : query.split("&")) {
        String[] kv = pair.split("=", 2);
        out.put(URLDecoder.decode(kv[0], StandardCharsets.UTF_8),
            kv.length == 2 ? URLDecoder.decode(kv[1], StandardCharsets.UTF_8) : "");
      }
    }
    return out;
  }

  private static void send(HttpExchange exchange, int status, String type, String body) throws IOException {
    try (exchange) {
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", type + "; charset=utf-8");
      exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
      if (bytes.length > 0) {
        exchange.getResponseBody().write(bytes);
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
