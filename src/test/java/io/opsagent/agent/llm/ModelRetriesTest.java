package io.opsagent.agent.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.opsagent.support.FakeMessagesApi;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** OPSAGENT_LLM_MAX_RETRIES means what the README says: that many retries after the first request. */
class ModelRetriesTest {

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 3})
  void aPersistentlyOverloadedApiGetsTheFirstRequestPlusExactlyTheConfiguredRetries(int retries) {
    try (FakeMessagesApi api = FakeMessagesApi.start();
        AnthropicModelClient client = new AnthropicModelClient("sk-test", api.baseUrl(), "claude-test",
            Duration.ofSeconds(10), retries)) {
      api.otherwise(FakeMessagesApi.error(529, "overloaded_error", "Overloaded"));

      assertThatThrownBy(() -> client.complete(request()))
          .isInstanceOf(ModelException.class)
          .hasMessageContaining("HTTP 529");
      assertThat(api.requests()).hasSize(1 + retries);
    }
  }

  @Test
  void aRejectedRequestIsNotRetried() {
    try (FakeMessagesApi api = FakeMessagesApi.start();
        AnthropicModelClient client = new AnthropicModelClient("sk-test", api.baseUrl(), "claude-test",
            Duration.ofSeconds(10), 3)) {
      api.otherwise(FakeMessagesApi.error(400, "invalid_request_error", "bad request"));

      assertThatThrownBy(() -> client.complete(request())).hasMessageContaining("HTTP 400");
      assertThat(api.requests()).hasSize(1);
    }
  }

  private static ModelRequest request() {
    return new ModelRequest("system", List.of(), List.of(ChatMessage.userText("hello")));
  }
}
