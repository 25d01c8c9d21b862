package io.opsagent.api.routes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.opsagent.agent.run.OpsRun;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

/**
 * A run as the API and the CLI show it: the {@code ops_agent_runs} row in camelCase, with
 * {@code actionsJson} embedded as the JSON array it holds rather than as a string.
 */
public record RunView(
    String id,
    String tenantId,
    String status,
    String trigger,
    Instant startedAt,
    Instant finishedAt,
    String summary,
    JsonNode actionsJson,
    long inputTokens,
    long outputTokens,
    int steps,
    String model,
    String error,
    String skipReason,
    String fallbackReason,
    long cacheReadTokens,
    long cacheWriteTokens,
    BigDecimal costUsd,
    boolean dryRun,
    String reasoning,
    String promptSha256,
    List<String> requestIds,
    String chainHash) {

  public static RunView of(OpsRun run, ObjectMapper json) {
    JsonNode actions;
    try {
      actions = json.readTree(run.actionsJson() == null ? "[]" : run.actionsJson());
    } catch (IOException e) {
      actions = json.getNodeFactory().textNode(run.actionsJson());
    }
    return new RunView(run.id(), run.tenantId(), run.status().wire(), run.trigger().wire(),
        run.startedAt(), run.finishedAt(), run.summary(), actions, run.inputTokens(),
        run.outputTokens(), run.steps(), run.model(), run.error(),
        run.skipReason() == null ? null : run.skipReason().wire(),
        run.fallbackReason() == null ? null : run.fallbackReason().wire(),
        run.cacheReadTokens(), run.cacheWriteTokens(), run.costUsd(), run.dryRun(), run.reasoning(),
        run.promptSha256(), run.requestIds(), run.chainHash());
  }
}
