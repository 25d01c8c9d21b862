package io.opsagent.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A scripted Anthropic Messages API on 127.0.0.1: answers {@code POST /v1/messages} and Bedrock's {@code POST /model/{id}/invoke} (matched on
 * method and path only, whatever headers the client sends) with the next scripted reply, or with
 * the {@link #otherwise} reply once the script is used up. Captures every request body.
 *
 * <p>A reply can be held ({@link #thenHeld}) until the test releases a latch, which keeps a cycle
 * running for as long as the test needs; requests are served concurrently, so a held reply never
 * blocks another request.
 */
public final class FakeMessagesApi implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  public record Reply(int status, String body) {}

  private final HttpServer server;
  private record Scripted(Reply reply, CountDownLatch release) {}

  private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "fake-messages-api");
    t.setDaemon(true);
    return t;
  });
  private final ConcurrentLinkedDeque<Scripted> script = new ConcurrentLinkedDeque<>();
  private final List<String> requests = new CopyOnWriteArrayList<>();
  private final List<String> paths = new CopyOnWriteArrayList<>();
  private final List<String> authorizations = new CopyOnWriteArrayList<>();
  private final AtomicInteger ids = new AtomicInteger();
  private volatile Function<JsonNode, Reply> otherwise = exhausted();

  private FakeMessagesApi() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", this::handle);
    server.setExecutor(executor);
    server.start();
  }

  public static FakeMessagesApi start() {
    try {
      return new FakeMessagesApi();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  public FakeMessagesApi then(Reply reply) {
    script.add(new Scripted(reply, null));
    return this;
  }

  /** Like {@link #then}, but the reply is sent only once {@code release} is counted down. */
  public FakeMessagesApi thenHeld(CountDownLatch release, Reply reply) {
    script.add(new Scripted(reply, release));
    return this;
  }

  public FakeMessagesApi otherwise(Reply reply) {
    this.otherwise = request -> reply;
    return this;
  }

  /**
   * Once the script is used up, answers each request with what {@code responder} makes of its
   * parsed body (for tests where several tenants' cycles interleave). The responder may block: each
   * request has a thread of its own.
   */
  public FakeMessagesApi otherwise(Function<JsonNode, Reply> responder) {
    this.otherwise = responder;
    return this;
  }

  private static Function<JsonNode, Reply> exhausted() {
    Reply r = error(500, "api_error", "script exhausted");
    return request -> r;
  }

  /** Clears the script and the captured requests (between tests sharing one server). */
  public void reset() {
    script.clear();
    requests.clear();
    paths.clear();
    authorizations.clear();
    otherwise = exhausted();
  }

  public List<String> requests() {
    return List.copyOf(requests);
  }

  /** The path of each request: {@code /v1/messages}, or {@code /model/{modelId}/invoke} for Bedrock. */
  public List<String> paths() {
    return List.copyOf(paths);
  }

  /** The {@code Authorization} header of each request ("" when none was sent). */
  public List<String> authorizations() {
    return List.copyOf(authorizations);
  }

  public JsonNode request(int i) {
    try {
      return JSON.readTree(requests.get(i));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A final answer: one text block, {@code stop_reason: end_turn}. */
  public Reply text(String text, long inputTokens, long outputTokens) {
    ArrayNode content = JSON.createArrayNode();
    content.addObject().put("type", "text").put("text", text);
    return message(content, "end_turn", inputTokens, outputTokens, 0, 0);
  }

  /**
   * A final answer like {@link #text(String, long, long)} whose usage also reports prompt-cache
   * tokens ({@code cache_read_input_tokens}, {@code cache_creation_input_tokens}).
   */
  public Reply text(String text, long inputTokens, long outputTokens, long cacheReadTokens,
      long cacheWriteTokens) {
    ArrayNode content = JSON.createArrayNode();
    content.addObject().put("type", "text").put("text", text);
    return message(content, "end_turn", inputTokens, outputTokens, cacheReadTokens, cacheWriteTokens);
  }

  /** A turn that calls tools: a short text, then one {@code tool_use} block per (name, inputJson). */
  public Reply toolUse(long inputTokens, long outputTokens, String... nameAndInputJson) {
    return message(toolContent(nameAndInputJson), "tool_use", inputTokens, outputTokens, 0, 0);
  }

  /** Like {@link #toolUse(long, long, String...)}, with {@code text} as the turn's text block (what the model says before acting). */
  public Reply toolUseSaying(String text, long inputTokens, long outputTokens, String... nameAndInputJson) {
    ArrayNode content = toolContent(nameAndInputJson);
    ((ObjectNode) content.get(0)).put("text", text);
    return message(content, "tool_use", inputTokens, outputTokens, 0, 0);
  }

  /**
   * A reply cut off by the output limit ({@code stop_reason: max_tokens}) that nevertheless ends in
   * {@code tool_use} blocks, as a truncated reply can: their input may be incomplete.
   */
  public Reply truncatedToolUse(long inputTokens, long outputTokens, String... nameAndInputJson) {
    return message(toolContent(nameAndInputJson), "max_tokens", inputTokens, outputTokens, 0, 0);
  }

  private ArrayNode toolContent(String... nameAndInputJson) {
    ArrayNode content = JSON.createArrayNode();
    content.addObject().put("type", "text").put("text", "Let me look into this.");
    for (int i = 0; i < nameAndInputJson.length; i += 2) {
      try {
        content.addObject().put("type", "tool_use").put("id", "toolu_" + ids.incrementAndGet())
            .put("name", nameAndInputJson[i]).set("input", JSON.readTree(nameAndInputJson[i + 1]));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return content;
  }

  public static Reply error(int status, String type, String message) {
    ObjectNode body = JSON.createObjectNode().put("type", "error");
    body.putObject("error").put("type", type).put("message", message);
    return new Reply(status, body.toString());
  }

  private Reply message(ArrayNode content, String stopReason, long in, long out, long cacheRead,
      long cacheWrite) {
    ObjectNode m = JSON.createObjectNode().put("id", "msg_" + ids.incrementAndGet())
        .put("type", "message").put("role", "assistant").put("model", "claude-sonnet-4-5");
    m.set("content", content);
    m.put("stop_reason", stopReason).putNull("stop_sequence");
    m.putObject("usage").put("input_tokens", in).put("output_tokens", out)
        .put("cache_creation_input_tokens", cacheWrite).put("cache_read_input_tokens", cacheRead);
    return new Reply(200, m.toString());
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      String path = ex.getRequestURI().getPath();
      // Bedrock serves the same Messages API at /model/{modelId}/invoke
      if (!ex.getRequestMethod().equals("POST")
          || !path.equals("/v1/messages") && !path.matches("/model/[^/]+/invoke")) {
        ex.sendResponseHeaders(404, -1);
        return;
      }
      String raw = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      requests.add(raw);
      paths.add(path);
      String auth = ex.getRequestHeaders().getFirst("Authorization");
      authorizations.add(auth == null ? "" : auth);
      Scripted next = script.poll();
      Reply reply = next == null ? otherwise.apply(JSON.readTree(raw)) : next.reply();
      if (next != null && next.release() != null) {
        awaitRelease(next.release());
      }
      byte[] body = reply.body().getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().add("Content-Type", "application/json");
      ex.getResponseHeaders().add("request-id", "req_" + ids.incrementAndGet());
      if (reply.status() != 200) {
        ex.getResponseHeaders().add("retry-after-ms", "5");
      }
      ex.sendResponseHeaders(reply.status(), body.length);
      ex.getResponseBody().write(body);
    }
  }

  private static void awaitRelease(CountDownLatch release) {
    try {
      release.await(2, TimeUnit.MINUTES);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
