package io.opsagent.worker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.opsagent.support.FakeMessagesApi.Reply;
import io.opsagent.support.FakeMessagesApi;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * What the fake model answers in worker tests, where several tenants' cycles interleave: it reads
 * the state document of the cycle's first message and acts like a sensible SRE. No failed
 * deployment: "All clear" at once. A failed one: a critical {@code sendAlert} for its workspace,
 * then a summary once the tool result comes back. A tenant's next cycle can be held mid-call with
 * {@link #holdNextCycleOf} so a test can act while that cycle is running.
 */
final class SreScript implements Function<JsonNode, Reply> {
  static final String ALL_CLEAR = "All clear: every deployment is running, nothing to do.";
  static final String ALERTED = "Alerted the workspace's on-call about the failed deployment.";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final FakeMessagesApi api;
  private final Map<String, Hold> holds = new ConcurrentHashMap<>();

  /** A held cycle: {@code arrived} counts down when its model call came in; it waits for {@code gate}. */
  record Hold(CountDownLatch arrived, CountDownLatch gate) {
    void awaitArrival() throws InterruptedException {
      if (!arrived.await(60, TimeUnit.SECONDS)) {
        throw new AssertionError("the held cycle's model call never arrived");
      }
    }

    void release() {
      gate.countDown();
    }
  }

  SreScript(FakeMessagesApi api) {
    this.api = api;
  }

  static SreScript on(FakeMessagesApi api) {
    SreScript script = new SreScript(api);
    api.otherwise(script);
    return script;
  }

  /** The next cycle of the tenant blocks in its first model call until the hold is released. */
  Hold holdNextCycleOf(String tenantId) {
    Hold hold = new Hold(new CountDownLatch(1), new CountDownLatch(1));
    holds.put(tenantId, hold);
    return hold;
  }

  @Override
  public Reply apply(JsonNode request) {
    JsonNode messages = request.path("messages");
    JsonNode state = stateOf(request);
    if (messages.size() > 1) {
      return api.text(ALERTED, 900, 40);
    }
    Hold hold = holds.remove(state.path("tenantId").asText());
    if (hold != null) {
      hold.arrived().countDown();
      try {
        hold.gate().await(2, TimeUnit.MINUTES);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    JsonNode failed = state.path("failed");
    if (failed.isEmpty()) {
      return api.text(ALL_CLEAR, 800, 20);
    }
    JsonNode d = failed.get(0);
    String input = JSON.createObjectNode().put("workspaceId", d.path("workspaceId").asText())
        .put("severity", "critical").put("title", d.path("name").asText() + " is FAILED")
        .put("body", "Deployment " + d.path("name").asText() + " failed; please look at it.").toString();
    return api.toolUse(850, 60, "sendAlert", input);
  }

  /** The state document of a request's first (context) message. */
  static JsonNode stateOf(JsonNode request) {
    JsonNode content = request.path("messages").path(0).path("content");
    String text = content.isTextual() ? content.asText() : content.path(0).path("text").asText();
    int from = text.indexOf("<state>");
    int to = text.lastIndexOf("</state>");
    if (from < 0 || to < from) {
      throw new AssertionError("no <state> document in the cycle's first message");
    }
    try {
      return JSON.readTree(text.substring(from + "<state>".length(), to));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
