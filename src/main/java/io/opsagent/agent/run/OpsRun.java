package io.opsagent.agent.run;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * One row of {@code ops_agent_runs}: one cycle of the agent for one tenant. {@code actionsJson} is
 * the JSON array of every tool call of the cycle (name, input, result, allowed or refused and why).
 * {@code inputTokens} counts uncached prompt tokens; cache reads and writes are counted apart.
 */
public record OpsRun(
    String id,
    String tenantId,
    RunStatus status,
    Trigger trigger,
    Instant startedAt,
    Instant finishedAt,
    String summary,
    String actionsJson,
    long inputTokens,
    long outputTokens,
    int steps,
    String model,
    String error,
    SkipReason skipReason,
    FallbackReason fallbackReason,
    long cacheReadTokens,
    long cacheWriteTokens,
    BigDecimal costUsd) {

  public TokenUsage tokens() {
    return new TokenUsage(inputTokens, outputTokens, cacheReadTokens, cacheWriteTokens);
  }
}
