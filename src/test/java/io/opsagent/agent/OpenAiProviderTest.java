package io.opsagent.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.opsagent.agent.guard.CooldownStore;
import io.opsagent.agent.run.OpsRun;
import io.opsagent.agent.run.RunRepository;
import io.opsagent.agent.run.RunStatus;
import io.opsagent.queue.schedule.Trigger;
import io.opsagent.config.Config;
import io.opsagent.db.Ids;
import io.opsagent.notify.DeliveryStatus;
import io.opsagent.notify.Severity;
import io.opsagent.notify.TestReceiver;
import io.opsagent.platform.DeploymentStatus;
import io.opsagent.support.FakeChatCompletionsApi;
import io.opsagent.support.Fixtures;
import io.opsagent.support.TestAgents;
import io.opsagent.support.TestDatabase;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code OPSAGENT_MODEL_PROVIDER=openai}: whole cycles against a local server speaking the Chat
 * Completions wire format, as OpenAI, Azure OpenAI, vLLM and Ollama do.
 */
class OpenAiProviderTest {
  static final String API_KEY = "sk-openai-test-" + Ids.newId();
  static final ObjectMapper JSON = new ObjectMapper();
  static TestDatabase db;
  static Fixtures fx;

  FakeChatCompletionsApi api;
  RealNotifier notify;
  TestReceiver receiver;

  @BeforeAll
  static void createDatabase() {
    db = TestDatabase.create(OpenAiProviderTest.class);
    fx = new Fixtures(db.database());
  }

  @AfterAll
  static void dropDatabase() {
    db.close();
  }

  @BeforeEach
  void start() throws Exception {
    api = FakeChatCompletionsApi.start();
    notify = new RealNotifier(db.database());
    receiver = TestReceiver.answering();
  }

  @AfterEach
  void stop() {
    notify.close();
    receiver.close();
    api.close();
  }

  Map<String, String> openai(String... more) {
    Map<String, String> env = new HashMap<>(Map.of("OPSAGENT_MODEL_PROVIDER", "openai",
        "OPSAGENT_MODEL", "gpt-test", "OPSAGENT_MODEL_BASE_URL", api.baseUrl(),
        "OPSAGENT_MODEL_API_KEY", API_KEY, "OPSAGENT_LLM_MAX_RETRIES", "2", "OPSAGENT_LLM_TIMEOUT", "PT10S"));
    for (int i = 0; i < more.length; i += 2) {
      if (more[i + 1] == null) {
        env.remove(more[i]);
      } else {
        env.put(more[i], more[i + 1]);
      }
    }
    return env;
  }

  OpsAgent agent(Map<String, String> env) {
    Config config = Config.fromEnv(env);
    return TestAgents.builder(config, db.database().jdbi()).notifier(notify.notifier)
        .cooldowns(CooldownStore.inMemory(config.cooldowns(), Clock.systemUTC())).build();
  }

  @Test
  void theModelAsksForSendAlertAndTheAlertIsDeliveredWithTheToolResultSentBack() throws Exception {
    var t = fx.tenant("openai-alert").workspace("web");
    t.deploy("api", DeploymentStatus.FAILED, "2.1.0");
    String ws = t.lastWorkspace().id();
    notify.webhook(t.id(), ws, "web-hook", receiver.url("/web"), null);
    api.then(api.toolCalls(1500, 80, "sendAlert", """
            {"workspaceId": "%s", "severity": "critical", "title": "api is FAILED",
             "body": "Deployment api (2.1.0) failed; roll back."}""".formatted(ws)))
        .then(api.text("Sent one critical alert about api.", 1700, 30, 0));

    OpsRun run;
    try (OpsAgent agent = agent(openai())) {
      run = agent.runOpsCycle(t.id(), Trigger.SCHEDULE);
    }

    assertThat(run.status()).isEqualTo(RunStatus.COMPLETED);
    assertThat(run.model()).isEqualTo("gpt-test");
    assertThat(run.fallbackReason()).isNull();
    assertThat(run.summary()).isEqualTo("Sent one critical alert about api.");
    assertThat(run.steps()).isEqualTo(2);
    assertThat(notify.settled(t.id())).singleElement().satisfies(d -> {
      assertThat(d.status()).isEqualTo(DeliveryStatus.DELIVERED);
      assertThat(d.severity()).isEqualTo(Severity.CRITICAL);
      assertThat(d.runId()).isEqualTo(run.id());
    });
    assertThat(receiver.requests()).singleElement()
        .satisfies(r -> assertThat(r.payload().get("title").asText()).isEqualTo("api is FAILED"));
    JsonNode actions = JSON.readTree(run.actionsJson());
    assertThat(actions).singleElement().satisfies(a -> {
      assertThat(a.get("name").asText()).isEqualTo("sendAlert");
      assertThat(a.get("allowed").asBoolean()).isTrue();
    });

    // the first request: system prompt first, every tool a function with our JSON schema, the key as bearer
    JsonNode first = api.request(0);
    assertThat(first.get("model").asText()).isEqualTo("gpt-test");
    assertThat(first.get("messages").get(0).get("role").asText()).isEqualTo("system");
    assertThat(first.get("messages").get(1).get("role").asText()).isEqualTo("user");
    JsonNode sendAlert = null;
    for (JsonNode tool : first.get("tools")) {
      assertThat(tool.get("type").asText()).isEqualTo("function");
      if (tool.get("function").get("name").asText().equals("sendAlert")) {
        sendAlert = tool.get("function");
      }
    }
    assertThat(sendAlert).isNotNull();
    assertThat(sendAlert.get("parameters").get("type").asText()).isEqualTo("object");
    assertThat(sendAlert.get("parameters").get("properties").has("workspaceId")).isTrue();
    assertThat(sendAlert.get("parameters").get("required").toString()).contains("workspaceId");
    assertThat(api.authorizations()).containsOnly("Bearer " + API_KEY);

    // the second: the assistant's call and our result for it, matched by the call's id
    JsonNode messages = api.request(1).get("messages");
    JsonNode assistant = messages.get(2);
    assertThat(assistant.get("role").asText()).isEqualTo("assistant");
    JsonNode call = assistant.get("tool_calls").get(0);
    assertThat(call.get("function").get("name").asText()).isEqualTo("sendAlert");
    assertThat(JSON.readTree(call.get("function").get("arguments").asText()).get("workspaceId").asText())
        .isEqualTo(ws);
    JsonNode result = messages.get(3);
    assertThat(result.get("role").asText()).isEqualTo("tool");
    assertThat(result.get("tool_call_id").asText()).isEqualTo(call.get("id").asText());
    assertThat(api.requests()).allSatisfy(body -> assertThat(body).doesNotContain(API_KEY));
  }

  @Test
  void tokensIncludingCachedPromptTokensAreRecordedAndPricedFromThePriceTable() {
    var t = fx.tenant("openai-priced").workspace("web").deployment("api", DeploymentStatus.RUNNING);
    api.then(api.text("All clear.", 2000, 100, 1500));

    try (OpsAgent agent = agent(openai("OPSAGENT_MODEL_PRICES", "gpt-test=2/8/0/0.5"))) {
      OpsRun run = agent.runOpsCycle(t.id(), Trigger.MANUAL);

      assertThat(run.status()).isEqualTo(RunStatus.COMPLETED);
      // prompt_tokens counts the cached ones: 500 uncached, 1500 read from the cache
      assertThat(run.inputTokens()).isEqualTo(500);
      assertThat(run.cacheReadTokens()).isEqualTo(1500);
      assertThat(run.cacheWriteTokens()).isZero();
      assertThat(run.outputTokens()).isEqualTo(100);
      // (500 × 2 + 100 × 8 + 1500 × 0.5) / 1e6
      assertThat(run.costUsd()).isEqualByComparingTo("0.00255");
      assertThat(new RunRepository(db.database().jdbi(), Clock.systemUTC()).find(t.id(), run.id()).orElseThrow()
          .costUsd()).isEqualByComparingTo("0.00255");
    }
  }

  @Test
  void aServerAnswering500IsRetriedThenTheRunFailsWithTheReason() {
    var t = fx.tenant("openai-down").workspace("web").deployment("api", DeploymentStatus.FAILED);
    api.otherwise(FakeChatCompletionsApi.error(500, "server_error", "The server had an error"));

    try (OpsAgent agent = agent(openai())) {
      OpsRun run = agent.runOpsCycle(t.id(), Trigger.SCHEDULE);

      assertThat(api.requests()).hasSize(3);
      assertThat(run.status()).isEqualTo(RunStatus.FAILED);
      assertThat(run.error()).contains("HTTP 500").doesNotContain(API_KEY);
      assertThat(run.finishedAt()).isNotNull();
    }
  }

  @Test
  void aRejectedRequestIsNotRetried() {
    var t = fx.tenant("openai-rejected").workspace("web").deployment("api", DeploymentStatus.RUNNING);
    api.otherwise(FakeChatCompletionsApi.error(400, "invalid_request_error", "bad request"));

    try (OpsAgent agent = agent(openai())) {
      OpsRun run = agent.runOpsCycle(t.id(), Trigger.SCHEDULE);

      assertThat(api.requests()).hasSize(1);
      assertThat(run.status()).isEqualTo(RunStatus.FAILED);
      assertThat(run.error()).contains("HTTP 400");
    }
  }

  @Test
  void aToolCallWithArgumentsThatAreNotJsonFailsTheRunBeforeAnyOfItsCallsRuns() throws Exception {
    var t = fx.tenant("openai-malformed").workspace("web");
    t.deploy("api", DeploymentStatus.FAILED, "2.1.0");
    String ws = t.lastWorkspace().id();
    notify.webhook(t.id(), ws, "web-hook", receiver.url("/web"), null);
    api.then(api.toolCalls(1500, 80,
        "sendAlert", "{\"workspaceId\": \"" + ws + "\", \"severity\": \"critical\", \"title\": \"x\", \"body\": \"y\"}",
        "sendAlert", "{\"workspaceId\": \"" + ws + "\", \"sever"));

    try (OpsAgent agent = agent(openai())) {
      OpsRun run = agent.runOpsCycle(t.id(), Trigger.SCHEDULE);

      assertThat(run.status()).isEqualTo(RunStatus.FAILED);
      assertThat(run.error()).contains("malformed answer");
      assertThat(JSON.readTree(run.actionsJson())).isEmpty();
      assertThat(api.requests()).hasSize(1);
    }
    assertThat(notify.deliveries.listByTenant(t.id(), 10))
        .noneMatch(d -> d.title() != null && d.title().equals("x"));
    assertThat(receiver.requests()).noneMatch(r -> r.payload().path("title").asText().equals("x"));
  }

  @Test
  void anAnswerWithoutChoicesFailsTheRun() {
    var t = fx.tenant("openai-empty").workspace("web").deployment("api", DeploymentStatus.RUNNING);
    api.then(new FakeChatCompletionsApi.Reply(200,
        "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"gpt-test\",\"choices\":[]}"));

    try (OpsAgent agent = agent(openai())) {
      OpsRun run = agent.runOpsCycle(t.id(), Trigger.MANUAL);

      assertThat(run.status()).isEqualTo(RunStatus.FAILED);
      assertThat(run.error()).contains("malformed answer");
      assertThat(api.requests()).hasSize(1);
    }
  }

  @Test
  void aLocalServerNeedsNoKeyOnlyItsBaseUrl() {
    var t = fx.tenant("openai-local").workspace("web").deployment("api", DeploymentStatus.RUNNING);
    api.then(api.text("All clear.", 300, 10, 0));

    try (OpsAgent agent = agent(openai("OPSAGENT_MODEL_API_KEY", null, "OPSAGENT_MODEL", "llama3.1"))) {
      OpsRun run = agent.runOpsCycle(t.id(), Trigger.MANUAL);

      assertThat(run.status()).isEqualTo(RunStatus.COMPLETED);
      assertThat(run.model()).isEqualTo("llama3.1");
      assertThat(run.fallbackReason()).isNull();
      assertThat(api.request(0).get("model").asText()).isEqualTo("llama3.1");
    }
  }
}
