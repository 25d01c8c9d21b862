package io.opsagent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.opsagent.config.Config.Llm.Provider;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code OPSAGENT_MODEL_PROVIDER} and the key and endpoint that go with each provider. */
class ModelProviderConfigTest {

  @Test
  void anthropicIsTheDefaultAndStillReadsItsOwnVariables() {
    Config.Llm llm = Config.fromEnv(Map.of("ANTHROPIC_API_KEY", "sk-ant-own",
        "ANTHROPIC_BASE_URL", "http://127.0.0.1:9/")).llm();

    assertThat(llm.provider()).isEqualTo(Provider.ANTHROPIC);
    assertThat(llm.apiKey()).contains("sk-ant-own");
    assertThat(llm.baseUrl()).isEqualTo("http://127.0.0.1:9");
    assertThat(llm.model()).isEqualTo(Config.DEFAULT_MODEL);
    assertThat(llm.configured()).isTrue();
  }

  @Test
  void theProviderNeutralKeyAndBaseUrlWinOverTheProvidersOwn() {
    Config.Llm llm = Config.fromEnv(Map.of("ANTHROPIC_API_KEY", "sk-ant-own",
        "ANTHROPIC_BASE_URL", "http://127.0.0.1:9", "OPSAGENT_MODEL_API_KEY", "sk-neutral",
        "OPSAGENT_MODEL_BASE_URL", "https://gateway.example.com/anthropic")).llm();

    assertThat(llm.apiKey()).contains("sk-neutral");
    assertThat(llm.baseUrl()).isEqualTo("https://gateway.example.com/anthropic");
  }

  @Test
  void openaiReadsOpenaiApiKeyNeverTheAnthropicOneAndDefaultsToOpenaisEndpoint() {
    Config.Llm llm = Config.fromEnv(Map.of("OPSAGENT_MODEL_PROVIDER", "openai", "OPSAGENT_MODEL", "gpt-4.1",
        "OPENAI_API_KEY", "sk-openai", "ANTHROPIC_API_KEY", "sk-ant-own")).llm();

    assertThat(llm.provider()).isEqualTo(Provider.OPENAI);
    assertThat(llm.apiKey()).contains("sk-openai");
    assertThat(llm.baseUrl()).isEqualTo("https://api.openai.com/v1");
    assertThat(llm.configured()).isTrue();
    assertThat(llm.toString()).doesNotContain("sk-openai").contains("openai(gpt-4.1");
  }

  @Test
  void openaiWithNeitherKeyNorBaseUrlMeansNoModelIsConfigured() {
    Config.Llm llm = Config.fromEnv(Map.of("OPSAGENT_MODEL_PROVIDER", "openai", "OPSAGENT_MODEL", "gpt-4.1",
        "ANTHROPIC_API_KEY", "sk-ant-own")).llm();

    assertThat(llm.configured()).isFalse();
    assertThat(Config.fromEnv(Map.of("OPSAGENT_MODEL_PROVIDER", "openai", "OPSAGENT_MODEL", "llama3.1",
        "OPSAGENT_MODEL_BASE_URL", "http://localhost:11434/v1")).llm().configured()).isTrue();
    // an Anthropic base URL without a key is no model (as before)
    assertThat(Config.fromEnv(Map.of("ANTHROPIC_BASE_URL", "http://127.0.0.1:9")).llm().configured()).isFalse();
  }

  @Test
  void openaiNeedsTheProvidersModelName() {
    assertThatThrownBy(() -> Config.fromEnv(Map.of("OPSAGENT_MODEL_PROVIDER", "openai",
            "OPENAI_API_KEY", "sk-openai")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("OPSAGENT_MODEL: required with OPSAGENT_MODEL_PROVIDER=openai");
  }

  @Test
  void anUnknownProviderIsNamedWithWhatIsAccepted() {
    assertThatThrownBy(() -> Config.fromEnv(Map.of("OPSAGENT_MODEL_PROVIDER", "gemini")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("OPSAGENT_MODEL_PROVIDER: expected anthropic, bedrock or openai, got \"gemini\"");
  }

  @Test
  void vertexIsRefusedInOneLineSayingWhatIsSupported() {
    assertThatThrownBy(() -> Config.fromEnv(Map.of("OPSAGENT_MODEL_PROVIDER", "vertex")))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).singleElement()
            .asString().startsWith("OPSAGENT_MODEL_PROVIDER: \"vertex\" is not supported")
            .contains("supported: anthropic, bedrock, openai"));
  }

  @Test
  void bedrockTakesNoApiKeyNeedsItsModelIdAndUsesTheRegionsEndpointUnlessOverridden() {
    Config.Llm llm = Config.fromEnv(Map.of("OPSAGENT_MODEL_PROVIDER", "bedrock",
        "OPSAGENT_MODEL", "us.anthropic.claude-sonnet-4-5-20250929-v1:0", "ANTHROPIC_API_KEY", "sk-ant-own",
        "ANTHROPIC_BASE_URL", "http://127.0.0.1:9")).llm();

    assertThat(llm.provider()).isEqualTo(Provider.BEDROCK);
    assertThat(llm.apiKey()).isEmpty();
    assertThat(llm.baseUrl()).isEmpty();
    assertThat(llm.configured()).isTrue();
    assertThat(Config.fromEnv(Map.of("OPSAGENT_MODEL_PROVIDER", "bedrock", "OPSAGENT_MODEL", "m",
        "OPSAGENT_MODEL_BASE_URL", "https://vpce-1.bedrock-runtime.us-east-1.vpce.amazonaws.com")).llm().baseUrl())
        .isEqualTo("https://vpce-1.bedrock-runtime.us-east-1.vpce.amazonaws.com");
    assertThatThrownBy(() -> Config.fromEnv(Map.of("OPSAGENT_MODEL_PROVIDER", "bedrock")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("OPSAGENT_MODEL: required with OPSAGENT_MODEL_PROVIDER=bedrock");
  }

  @Test
  void aBadBaseUrlIsNamed() {
    assertThatThrownBy(() -> Config.fromEnv(Map.of("OPSAGENT_MODEL_PROVIDER", "openai", "OPSAGENT_MODEL", "m",
            "OPSAGENT_MODEL_BASE_URL", "localhost:11434")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("OPSAGENT_MODEL_BASE_URL: expected an http(s) URL");
  }
}
