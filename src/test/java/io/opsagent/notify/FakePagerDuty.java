package io.opsagent.notify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A local stand-in for PagerDuty's Events API v2 ({@code POST /v2/enqueue}): it checks every event
 * as PagerDuty does (a 32-character {@code routing_key}, a known {@code event_action}, a
 * {@code dedup_key} for acknowledge/resolve, and for a trigger {@code payload.summary},
 * {@code payload.source} and a {@code payload.severity} of critical/error/warning/info), answers 400
 * {@code "invalid event"} with the errors when one is wrong and 202 {@code "Event processed"}
 * otherwise — unless a scripted status (429, 5xx) comes first. Events it accepted are recorded.
 */
public final class FakePagerDuty implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> SEVERITIES = Set.of("critical", "error", "warning", "info");

  /** One request: the event as sent, and what was answered. */
  public record Event(JsonNode body, int answered) {
    public String action() {
      return body.path("event_action").asText();
    }

    public String dedupKey() {
      return body.path("dedup_key").asText();
    }
  }

  private final HttpServer server;
  private final Deque<Integer> script = new ArrayDeque<>();
  private final List<Event> events = new CopyOnWriteArrayList<>();

  public FakePagerDuty() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/v2/enqueue", this::enqueue);
    server.start();
  }

  /** The next requests are answered {@code statuses} (say 429, 503) before events are judged again. */
  public void answerNext(int... statuses) {
    synchronized (script) {
      for (int s : statuses) {
        script.add(s);
      }
    }
  }

  public String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/v2/enqueue";
  }

  public List<Event> events() {
    return List.copyOf(events);
  }

  /** The requests answered 2xx. */
  public List<Event> accepted() {
    return events.stream().filter(e -> e.answered() / 100 == 2).toList();
  }

  private void enqueue(HttpExchange exchange) throws IOException {
    byte[] raw;
    try (InputStream in = exchange.getRequestBody()) {
      raw = in.readAllBytes();
    }
    Integer scripted;
    synchronized (script) {
      scripted = script.poll();
    }
    JsonNode body;
    try {
      body = JSON.readTree(raw);
    } catch (IOException e) {
      body = JSON.createObjectNode();
    }
    int status;
    String answer;
    List<String> errors = scripted == null ? errors(exchange, body) : List.of();
    if (scripted != null) {
      status = scripted;
      answer = "";
    } else if (!errors.isEmpty()) {
      status = 400;
      answer = JSON.createObjectNode().put("status", "invalid event").put("message", "Event object is invalid")
          .set("errors", JSON.valueToTree(errors)).toString();
    } else {
      status = 202;
      answer = JSON.createObjectNode().put("status", "success").put("message", "Event processed")
          .put("dedup_key", body.path("dedup_key").asText()).toString();
    }
    events.add(new Event(body, status));
    byte[] out = answer.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, out.length == 0 ? -1 : out.length);
    if (out.length > 0) {
      exchange.getResponseBody().write(out);
    }
    exchange.close();
  }

  private static List<String> errors(HttpExchange exchange, JsonNode e) {
    List<String> errors = new ArrayList<>();
    if (!"POST".equals(exchange.getRequestMethod())) {
      errors.add("method must be POST");
    }
    if (e.path("routing_key").asText().length() != 32) {
      errors.add("Length of 'routing_key' is incorrect (should be 32 characters)");
    }
    String action = e.path("event_action").asText();
    if (!Set.of("trigger", "acknowledge", "resolve").contains(action)) {
      errors.add("'event_action' is invalid (must be one of the following: 'trigger', 'acknowledge' or 'resolve')");
    }
    if (!action.equals("trigger") && e.path("dedup_key").asText().isEmpty()) {
      errors.add("'dedup_key' is missing or blank");
    }
    if (e.path("dedup_key").asText().length() > 255) {
      errors.add("'dedup_key' is too long");
    }
    if (action.equals("trigger")) {
      JsonNode p = e.path("payload");
      for (String field : List.of("summary", "source")) {
        if (p.path(field).asText().isBlank()) {
          errors.add("'payload." + field + "' is missing or blank");
        }
      }
      if (p.path("summary").asText().length() > 1024) {
        errors.add("'payload.summary' is too long");
      }
      if (!SEVERITIES.contains(p.path("severity").asText())) {
        errors.add("'payload.severity' is invalid (must be one of critical, error, warning or info)");
      }
    }
    return errors;
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
