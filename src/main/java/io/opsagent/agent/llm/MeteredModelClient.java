package io.opsagent.agent.llm;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.opsagent.Wire;
import java.util.EnumMap;
import java.util.Map;

/**
 * Counts every call of a real model as {@code opsagent.model.calls} by {@code outcome}: {@code ok}
 * (a whole reply), {@code truncated} (the reply hit {@code max_tokens}; its tool calls are not
 * executed) or {@code error} (no answer after the client's own retries). The three series exist,
 * at zero, from construction. The rules engine is not wrapped: it makes no model call.
 */
public final class MeteredModelClient implements ModelClient {
  /** The closed set of {@code outcome} label values. */
  public enum Outcome implements Wire {
    OK, TRUNCATED, ERROR
  }

  private final ModelClient model;
  private final Map<Outcome, Counter> calls = new EnumMap<>(Outcome.class);

  public MeteredModelClient(ModelClient model, MeterRegistry registry) {
    this.model = model;
    for (Outcome o : Outcome.values()) {
      calls.put(o, Counter.builder("opsagent.model.calls")
          .description("model API calls by outcome: ok, truncated (hit max_tokens), error (no answer)")
          .tag("outcome", o.wire())
          .register(registry));
    }
  }

  @Override
  public String modelId() {
    return model.modelId();
  }

  @Override
  public ModelReply complete(ModelRequest request) {
    ModelReply reply;
    try {
      reply = model.complete(request);
    } catch (RuntimeException e) {
      calls.get(Outcome.ERROR).increment();
      throw e;
    }
    calls.get(reply.stopReason() == ModelReply.StopReason.MAX_TOKENS ? Outcome.TRUNCATED : Outcome.OK)
        .increment();
    return reply;
  }

  @Override
  public void close() {
    model.close();
  }
}
