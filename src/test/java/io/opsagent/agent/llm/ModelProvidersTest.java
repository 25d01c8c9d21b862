package io.opsagent.agent.llm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.opsagent.Json;
import io.opsagent.config.Config;
import io.opsagent.support.FakeChatCompletionsApi;
import io.opsagent.support.FakeMessagesApi;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** {@link ModelClient#fromConfig} picks the provider, and each speaks its own wire format. */
class ModelProvidersTest {

  @Test
  void anthropicTakesTheProviderNeutralKeyAndBaseUrl() {
    try (FakeMessagesApi api = FakeMessagesApi.start();
        ModelClient client = ModelClient.fromConfig(Config.fromEnv(Map.of(
            "OPSAGENT_MODEL_API_KEY", "sk-neutral", "OPSAGENT_MODEL_BASE_URL", api.baseUrl(),
            "OPSAGENT_LLM_MAX_RETRIES", "0")).llm())) {
      api.then(api.text("All clear.", 10, 2));

      ModelReply reply = client.complete(request(false));

      assertThat(client).isInstanceOf(AnthropicModelClient.class);
      assertThat(reply.text()).isEqualTo("All clear.");
      assertThat(api.requests()).hasSize(1);
    }
  }

  @Test
  void noModelConfiguredForEitherProviderMeansTheRulesEngine() {
    assertThat(ModelClient.fromConfig(Config.fromEnv(Map.of()).llm())).isInstanceOf(RulesEngine.class);
    assertThat(ModelClient.fromConfig(Config.fromEnv(Map.of("OPSAGENT_MODEL_PROVIDER", "openai",
        "OPSAGENT_MODEL", "gpt-4.1", "ANTHROPIC_API_KEY", "sk-ant")).llm())).isInstanceOf(RulesEngine.class);
  }

  @Test
  void openaiAnswersCutOffByTheOutputLimitAreTruncatedWithTheirToolCallsKept() {
    try (FakeChatCompletionsApi api = FakeChatCompletionsApi.start();
        ModelClient client = ModelClient.fromConfig(Config.fromEnv(Map.of("OPSAGENT_MODEL_PROVIDER", "openai",
            "OPSAGENT_MODEL", "gpt-test", "OPSAGENT_MODEL_BASE_URL", api.baseUrl(),
            "OPENAI_API_KEY", "sk-openai", "OPSAGENT_LLM_MAX_RETRIES", "0")).llm())) {
      api.then(api.truncatedToolCalls(50, 4096, "getInfrastructureOverview", "{}"));

      ModelReply reply = client.complete(request(false));

      assertThat(client).isInstanceOf(OpenAiModelClient.class);
      assertThat(reply.stopReason()).isEqualTo(ModelReply.StopReason.MAX_TOKENS);
      assertThat(reply.toolUses()).singleElement()
          .satisfies(u -> assertThat(u.name()).isEqualTo("getInfrastructureOverview"));
      assertThat(reply.requestId()).startsWith("req_");
      assertThat(api.authorizations()).containsExactly("Bearer sk-openai");
      assertThat(api.request(0).get("max_completion_tokens").asLong()).isEqualTo(OpenAiModelClient.MAX_TOKENS);
      assertThat(api.request(0).has("tool_choice")).isFalse();
    }
  }

  @Test
  void openaiNoMoreToolsIsToolChoiceNoneWithTheToolsStillListed() {
    try (FakeChatCompletionsApi api = FakeChatCompletionsApi.start();
        OpenAiModelClient client = new OpenAiModelClient(Optional.empty(), api.baseUrl(), "gpt-test",
            Duration.ofSeconds(10), 0)) {
      api.then(api.text("Summary.", 10, 2, 0));

      ModelReply reply = client.complete(request(true));

      assertThat(reply.stopReason()).isEqualTo(ModelReply.StopReason.END_TURN);
      assertThat(reply.text()).isEqualTo("Summary.");
      assertThat(api.request(0).get("tool_choice").asText()).isEqualTo("none");
      assertThat(api.request(0).get("tools")).hasSize(1);
    }
  }

  private static ModelRequest request(boolean noMoreTools) {
    ObjectNode schema = Json.MAPPER.createObjectNode().put("type", "object");
    schema.putObject("properties");
    return new ModelRequest("system", List.of(new ToolSpec("getInfrastructureOverview", "overview", schema)),
        List.of(ChatMessage.userText("hello")), noMoreTools);
  }
}
