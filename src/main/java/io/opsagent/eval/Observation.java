package io.opsagent.eval;

import com.fasterxml.jackson.databind.JsonNode;
import io.opsagent.agent.run.OpsRun;
import java.util.List;
import java.util.Map;

/**
 * What one case's cycle did, as seen from outside: the run it recorded, the notifications the
 * tenant's webhook received, the actions the platform's control endpoint received, and the mutating
 * calls the decider attempted (refused ones included). {@code names} maps seeded ids to names.
 */
record Observation(OpsRun run, List<JsonNode> pages, List<JsonNode> platformCalls,
    List<JsonNode> attempted, Map<String, String> names, Map<String, String> placeholders, long millis,
    String skipReason) {

  /** A case not run, and why. */
  static Observation skipped(String reason) {
    return new Observation(null, List.of(), List.of(), List.of(), Map.of(), Map.of(), 0, reason);
  }

  /** Placeholders of the case's text replaced by the seeded ids. */
  String resolve(String text) {
    return EvalRig.resolve(text, placeholders);
  }
}
