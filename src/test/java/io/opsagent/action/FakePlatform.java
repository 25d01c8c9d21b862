package io.opsagent.action;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The platform's control endpoint on loopback: answers each request with the next scripted status
 * and body (200 without a body once the script is used up) and keeps every request, with a signature check written here,
 * independently of the production signing code.
 */
final class FakePlatform implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  record Request(Map<String, List<String>> headers, byte[] body, int answered) {
    String header(String name) {
      return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
          .map(e -> e.getValue().get(0)).findFirst().orElse(null);
    }

    JsonNode payload() {
      try {
        return JSON.readTree(body);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    /** Standard Webhooks: base64 HMAC-SHA256 of "{id}.{timestamp}.{body}" keyed by the secret. */
    boolean signedWith(String secret) throws Exception {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      mac.update((header("webhook-id") + "." + header("webhook-timestamp") + ".")
          .getBytes(StandardCharsets.UTF_8));
      String expected = "v1," + Base64.getEncoder().encodeToString(mac.doFinal(body));
      return expected.equals(header("webhook-signature"));
    }
  }

  /** One scripted answer: a status and, unless null, a response body. */
  record Answer(int status, String body) {}

  private final HttpServer server;
  private final Deque<Answer> script = new ArrayDeque<>();
  private final List<Request> requests = new CopyOnWriteArrayList<>();

  FakePlatform() {
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.createContext("/", exchange -> {
      byte[] body;
      try (InputStream in = exchange.getRequestBody()) {
        body = in.readAllBytes();
      }
      Answer answer;
      synchronized (script) {
        answer = script.isEmpty() ? new Answer(200, null) : script.poll();
      }
      requests.add(new Request(Map.copyOf(exchange.getRequestHeaders()), body, answer.status()));
      if (answer.body() == null) {
        exchange.sendResponseHeaders(answer.status(), -1);
      } else {
        byte[] out = answer.body().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(answer.status(), out.length);
        exchange.getResponseBody().write(out);
      }
      exchange.close();
    });
    server.start();
  }

  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/control";
  }

  /** The next answers, in order, without a body; 200 afterwards. */
  void answer(int... statuses) {
    answerWith(java.util.Arrays.stream(statuses).mapToObj(s -> new Answer(s, null)).toArray(Answer[]::new));
  }

  /** The next answers, in order; 200 afterwards. */
  void answerWith(Answer... answers) {
    synchronized (script) {
      script.clear();
      script.addAll(List.of(answers));
    }
  }

  List<Request> requests() {
    return List.copyOf(requests);
  }

  /** The requests for one deployment. */
  List<Request> requestsFor(String deploymentId) {
    return requests.stream().filter(r -> deploymentId.equals(r.payload().path("deploymentId").asText()))
        .toList();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
