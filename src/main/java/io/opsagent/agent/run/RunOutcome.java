package io.opsagent.agent.run;

import java.math.BigDecimal;
import java.util.List;

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
    String error,
    boolean dryRun,
    String reasoning,
    String promptSha256,
    List<String> requestIds) {

  /** An outcome without the audit fields (no dry run, no reasoning, no prompt hash, no request ids). */
  public RunOutcome(RunStatus status, String summary, String actionsJson, TokenUsage tokens, int steps,
      String model, FallbackReason fallbackReason, BigDecimal costUsd, String error) {
    this(status, summary, actionsJson, tokens, steps, model, fallbackReason, costUsd, error, false, null,
        null, List.of());
  }

  public RunOutcome {
    requestIds = requestIds == null ? List.of() : List.copyOf(requestIds);
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
