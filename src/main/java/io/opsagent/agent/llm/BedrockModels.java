package io.opsagent.agent.llm;

import com.anthropic.bedrock.backends.BedrockBackend;
import io.opsagent.config.Config;
import io.opsagent.config.ConfigException;
import java.util.List;

/**
 * {@code OPSAGENT_MODEL_PROVIDER=bedrock}: Claude on Amazon Bedrock, with the AWS default
 * credential chain (environment, profile, container or instance role, {@code AWS_BEARER_TOKEN_BEDROCK})
 * and region chain ({@code AWS_REGION}, profile); {@code OPSAGENT_MODEL_BASE_URL} overrides the
 * region's endpoint (a VPC endpoint, a gateway). No region is a configuration error at start.
 */
final class BedrockModels {
  private BedrockModels() {}

  static AnthropicModelClient fromEnv(Config.Llm llm) {
    BedrockBackend backend;
    try {
      BedrockBackend.Builder b = BedrockBackend.builder().fromEnv();
      if (!llm.baseUrl().isEmpty()) {
        b.baseUrl(llm.baseUrl());
      }
      backend = b.build();
    } catch (RuntimeException e) {
      throw new ConfigException(List.of("OPSAGENT_MODEL_PROVIDER=bedrock: no AWS region or credentials"
          + " (set AWS_REGION and the AWS credentials): " + String.valueOf(e.getMessage()).lines().findFirst()
          .orElse(e.getClass().getSimpleName())));
    }
    return new AnthropicModelClient(backend, llm.model(), llm.timeout(), llm.maxRetries());
  }
}
