package io.opsagent.agent.run;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

/**
 * One row of {@code ops_agent_runs}: one cycle of the agent for one tenant. {@code actionsJson} is
 * the JSON array of every tool call of the cycle (name, input, result, allowed or refused and why).
 * {@code inputTokens} counts uncached prompt tokens; cache reads and writes are counted apart.
 * {@code reasoning} is the model's text of every step; {@code promptSha256}, {@code requestIds} and
 * {@code chainHash} are the audit fields (see {@link RunChain}).
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
    BigDecimal costUsd,
    boolean dryRun,
    String reasoning,
    String promptSha256,
    List<String> requestIds,
    String chainHash) {

  public OpsRun {
    requestIds = requestIds == null ? List.of() : List.copyOf(requestIds);
  }

  public TokenUsage tokens() {
    return new TokenUsage(inputTokens, outputTokens, cacheReadTokens, cacheWriteTokens);
  }
}
