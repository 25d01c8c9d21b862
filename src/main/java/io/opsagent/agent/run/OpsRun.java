package io.opsagent.agent.run;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import io.opsagent.Json;
import io.opsagent.queue.schedule.Trigger;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

/**
 * One row of {@code ops_agent_runs}: one cycle of the agent for one tenant. {@code actionsJson} is
 * the JSON array of every tool call of the cycle (name, input, result, allowed or refused and why).
 * {@code inputTokens} counts uncached prompt tokens; cache reads and writes are counted apart.
 * {@code reasoning} is the model's text of every step; {@code promptSha256}, {@code requestIds} and
 * {@code chainHash} are the audit fields (see {@link RunChain}).
 *
 * <p>The one record of a run: read by Jdbi ({@link RunRows}), shown by the API, the CLI and the
 * dashboard, hashed by the audit chain. Its JSON is the API's run object: the fields in camelCase,
 * enums by their wire names, {@code actionsJson} embedded as the array it holds.
 */
public record OpsRun(
    String id,
    String tenantId,
    RunStatus status,
    Trigger trigger,
    Instant startedAt,
    Instant finishedAt,
    String summary,
    @JsonSerialize(using = OpsRun.Embedded.class, nullsUsing = OpsRun.Embedded.class) String actionsJson,
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
    @RunRows.CommaSeparated List<String> requestIds,
    String chainHash) {

  public OpsRun {
    requestIds = requestIds == null ? List.of() : List.copyOf(requestIds);
  }

  public TokenUsage tokens() {
    return new TokenUsage(inputTokens, outputTokens, cacheReadTokens, cacheWriteTokens);
  }

  /** Writes a stored JSON document as the JSON it holds ({@code []} for none, a string if it is not JSON). */
  static final class Embedded extends JsonSerializer<String> {
    @Override
    public void serialize(String json, JsonGenerator out, SerializerProvider provider) throws IOException {
      if (json == null) {
        out.writeStartArray();
        out.writeEndArray();
        return;
      }
      try {
        out.writeTree(Json.MAPPER.readTree(json));
      } catch (IOException e) {
        out.writeString(json);
      }
    }

    @Override
    public boolean isEmpty(SerializerProvider provider, String json) {
      return false;
    }
  }
}
