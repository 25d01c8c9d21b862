package io.opsagent.agent.run;

import java.math.BigDecimal;

/**
 * How a cycle ended, recorded once by {@link RunRepository#finish}. {@code costUsd} is null when the
 * model's price is unknown; {@code fallbackReason} is set when the rules engine decided.
 */
public record RunOutcome(
    RunStatus status,
    String summary,
    String actionsJson,
    TokenUsage tokens,
    int steps,
    String model,
    FallbackReason fallbackReason,
    BigDecimal costUsd,
    String error) {

  public RunOutcome {
    if (status == RunStatus.RUNNING) {
      throw new IllegalArgumentException("a run finishes as completed, failed or skipped");
    }
    actionsJson = actionsJson == null ? "[]" : actionsJson;
    tokens = tokens == null ? TokenUsage.NONE : tokens;
  }

  public static RunOutcome completed(String summary) {
    return new RunOutcome(RunStatus.COMPLETED, summary, "[]", TokenUsage.NONE, 0, null, null, null, null);
  }

  public static RunOutcome failed(String error) {
    return new RunOutcome(RunStatus.FAILED, null, "[]", TokenUsage.NONE, 0, null, null, null, error);
  }
}
