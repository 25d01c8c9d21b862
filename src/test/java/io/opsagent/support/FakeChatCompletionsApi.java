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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A scripted OpenAI Chat Completions API on 127.0.0.1, as OpenAI, vLLM or Ollama serve it: answers
 * {@code POST /v1/chat/completions} with the next scripted reply, or with the {@link #otherwise}
 * reply once the script is used up. Captures every request body and its {@code Authorization}
 * header.
 */
public final class FakeChatCompletionsApi implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  public record Reply(int status, String body) {}

  private final HttpServer server;
  private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "fake-chat-completions-api");
    t.setDaemon(true);
    return t;
  });
  private final ConcurrentLinkedDeque<Reply> script = new ConcurrentLinkedDeque<>();
  private final List<String> requests = new CopyOnWriteArrayList<>();
  private final List<String> authorizations = new CopyOnWriteArrayList<>();
  private final AtomicInteger ids = new AtomicInteger();
  private volatile Reply otherwise = error(500, "server_error", "script exhausted");

  private FakeChatCompletionsApi() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", this::handle);
    server.setExecutor(executor);
    server.start();
  }

  public static FakeChatCompletionsApi start() {
    try {
      return new FakeChatCompletionsApi();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** What {@code OPSAGENT_MODEL_BASE_URL} is set to, like {@code http://localhost:11434/v1} for Ollama. */
  public String baseUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
  }

  public FakeChatCompletionsApi then(Reply reply) {
    script.add(reply);
    return this;
  }

  public FakeChatCompletionsApi otherwise(Reply reply) {
    this.otherwise = reply;
    return this;
  }

  public List<String> requests() {
    return List.copyOf(requests);
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

  /** A final answer: {@code finish_reason: stop}, the usage as OpenAI reports it. */
  public Reply text(String text, long promptTokens, long completionTokens, long cachedTokens) {
    ObjectNode message = JSON.createObjectNode().put("role", "assistant").put("content", text);
    return completion(message, "stop", promptTokens, completionTokens, cachedTokens);
  }

  /** A turn that calls tools: one function call per (name, argumentsJson), arguments sent as a string. */
  public Reply toolCalls(long promptTokens, long completionTokens, String... nameAndArguments) {
    return completion(toolMessage(nameAndArguments), "tool_calls", promptTokens, completionTokens, 0);
  }

  /** Like {@link #toolCalls}, but cut off by the output limit ({@code finish_reason: length}). */
  public Reply truncatedToolCalls(long promptTokens, long completionTokens, String... nameAndArguments) {
    return completion(toolMessage(nameAndArguments), "length", promptTokens, completionTokens, 0);
  }

  public static Reply error(int status, String type, String message) {
    ObjectNode body = JSON.createObjectNode();
    body.putObject("error").put("message", message).put("type", type).putNull("param").putNull("code");
    return new Reply(status, body.toString());
  }

  private ObjectNode toolMessage(String... nameAndArguments) {
    ObjectNode message = JSON.createObjectNode().put("role", "assistant").putNull("content");
    ArrayNode calls = message.putArray("tool_calls");
    for (int i = 0; i < nameAndArguments.length; i += 2) {
      ObjectNode call = calls.addObject().put("id", "call_" + ids.incrementAndGet()).put("type", "function");
      call.putObject("function").put("name", nameAndArguments[i]).put("arguments", nameAndArguments[i + 1]);
    }
    return message;
  }

  private Reply completion(ObjectNode message, String finishReason, long prompt, long completion, long cached) {
    ObjectNode c = JSON.createObjectNode().put("id", "chatcmpl-" + ids.incrementAndGet())
        .put("object", "chat.completion").put("created", 1_760_000_000L).put("model", "gpt-test");
    ObjectNode choice = c.putArray("choices").addObject().put("index", 0);
    choice.set("message", message);
    choice.put("finish_reason", finishReason).putNull("logprobs");
    ObjectNode usage = c.putObject("usage").put("prompt_tokens", prompt).put("completion_tokens", completion)
        .put("total_tokens", prompt + completion);
    usage.putObject("prompt_tokens_details").put("cached_tokens", cached);
    return new Reply(200, c.toString());
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      if (!ex.getRequestMethod().equals("POST") || !ex.getRequestURI().getPath().equals("/v1/chat/completions")) {
        ex.sendResponseHeaders(404, -1);
        return;
      }
      requests.add(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
      String auth = ex.getRequestHeaders().getFirst("Authorization");
      authorizations.add(auth == null ? "" : auth);
      Reply next = script.poll();
      Reply reply = next == null ? otherwise : next;
      byte[] body = reply.body().getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().add("Content-Type", "application/json");
      ex.getResponseHeaders().add("x-request-id", "req_" + ids.incrementAndGet());
      if (reply.status() != 200) {
        ex.getResponseHeaders().add("retry-after-ms", "5");
      }
      ex.sendResponseHeaders(reply.status(), body.length);
      ex.getResponseBody().write(body);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
