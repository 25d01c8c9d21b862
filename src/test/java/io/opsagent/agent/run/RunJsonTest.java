package io.opsagent.agent.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.opsagent.Json;
import io.opsagent.queue.schedule.Trigger;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The run object of the API and of {@code opsagent cycle}: the record itself, field for field. */
class RunJsonTest {
  static final Instant AT = Instant.parse("2026-12-06T20:00:00.123Z");

  static OpsRun run(String actionsJson) {
    return new OpsRun("r1", "t1", RunStatus.SKIPPED, Trigger.EVENT, AT, null, "sum \"q\"", actionsJson, 10, 20, 3,
        "claude", null, SkipReason.CIRCUIT_OPEN, FallbackReason.NO_API_KEY, 1, 2, new BigDecimal("0.001200"), true,
        "why", "abc", List.of("req1", "req2"), "hash");
  }

  @Test
  void aRunIsShownInCamelCaseWithItsActionsEmbeddedAndItsEnumsByWireName() throws Exception {
    String actions = "[{\"name\":\"sendAlert\",\"input\":{\"b\":1,\"a\":[1.5,null]},\"allowed\":false,"
        + "\"result\":null,\"reason\":\"x\",\"refusal\":\"scope\"}]";

    assertThat(Json.MAPPER.writeValueAsString(run(actions))).isEqualTo("{\"id\":\"r1\",\"tenantId\":\"t1\","
        + "\"status\":\"skipped\",\"trigger\":\"event\",\"startedAt\":\"2026-12-06T20:00:00.123Z\",\"finishedAt\":null,"
        + "\"summary\":\"sum \\\"q\\\"\",\"actionsJson\":" + actions + ",\"inputTokens\":10,\"outputTokens\":20,"
        + "\"steps\":3,\"model\":\"claude\",\"error\":null,\"skipReason\":\"circuit_open\","
        + "\"fallbackReason\":\"no_api_key\",\"cacheReadTokens\":1,\"cacheWriteTokens\":2,\"costUsd\":0.001200,"
        + "\"dryRun\":true,\"reasoning\":\"why\",\"promptSha256\":\"abc\",\"requestIds\":[\"req1\",\"req2\"],"
        + "\"chainHash\":\"hash\"}");
  }

  @Test
  void actionsThatAreNotJsonAreShownAsTextAndNoneAsAnEmptyArray() throws Exception {
    assertThat(Json.MAPPER.readTree(Json.MAPPER.writeValueAsString(run("not json"))).get("actionsJson").asText())
        .isEqualTo("not json");
    assertThat(Json.MAPPER.readTree(Json.MAPPER.writeValueAsString(run(null))).get("actionsJson").toString())
        .isEqualTo("[]");
  }
}
