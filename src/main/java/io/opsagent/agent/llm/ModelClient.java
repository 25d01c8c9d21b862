package io.opsagent.agent.llm;

import io.opsagent.config.Config;
import org.slf4j.LoggerFactory;

/**
 * One non-streaming turn of a tool-using model: given the system prompt, the tool definitions and
 * the conversation so far, returns the model's next message.
 *
 * <p>Why our own interface rather than the SDK's types: the tool loop, the guardrails and the
 * recording of every call stay in our code, and a second implementation ({@link RulesEngine})
 * decides deterministically when there is no API key. Implementations do not loop over tools and
 * do not execute them; they may retry transient failures themselves, and otherwise throw
 * {@link ModelException}.
 */
public interface ModelClient extends AutoCloseable {

  /** The model id recorded on each run ({@code rules} for the rules engine). */
  String modelId();

  /** The model's next message; throws {@link ModelException} when no answer could be had. */
  ModelReply complete(ModelRequest request);

  /** Releases the HTTP client's connections and threads, if any. */
  @Override
  default void close() {}

  /** Claude when {@code ANTHROPIC_API_KEY} is set, the {@link RulesEngine} otherwise (logged). */
  static ModelClient fromConfig(Config.Llm llm) {
    if (llm.apiKey().isEmpty()) {
      LoggerFactory.getLogger(ModelClient.class).warn(
          "ANTHROPIC_API_KEY is not set: the deterministic rules engine decides instead of Claude");
      return new RulesEngine();
    }
    LoggerFactory.getLogger(ModelClient.class).info("model={} baseUrl={} timeout={} maxRetries={}",
        llm.model(), llm.baseUrl(), llm.timeout(), llm.maxRetries());
    return new AnthropicModelClient(llm.apiKey().get(), llm.baseUrl(),
        llm.model(), llm.timeout(), llm.maxRetries());
  }
}
