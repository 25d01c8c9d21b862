package io.opsagent.agent.review;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.opsagent.Json;
import io.opsagent.platform.DeploymentEvent;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a review of a tenant would be shown, reduced to what can change the verdict.
 *
 * <p>{@code stateSha256} hashes the cycle's state document without its volatile values: the run id,
 * when it was gathered, the event window and its events, and per deployment the times it was last
 * touched or version-checked. Time-derived facts ("backup overdue") stay in, since they are computed
 * from the clock. Events are judged apart: a status change always matters; any other event matters
 * only when its deployment, type and text differ from every event the last review was shown
 * ({@code eventSignatures}), so a deployment repeating the same warning does not buy a model call.
 */
public record StateFingerprint(String stateSha256, Set<String> eventSignatures, boolean statusChange) {
  private static final ObjectMapper JSON = Json.MAPPER;
  private static final Set<String> VOLATILE_ROOT = Set.of("runId", "gatheredAt", "eventsSince", "recentEvents");
  private static final Set<String> VOLATILE_FIELDS = Set.of("since", "versionCheckedAt");

  public StateFingerprint {
    eventSignatures = Set.copyOf(eventSignatures);
  }

  /** The fingerprint of the state document {@code stateJson} and the window's {@code events}. */
  public static StateFingerprint of(String stateJson, List<DeploymentEvent> events) {
    JsonNode root;
    try {
      root = JSON.readTree(stateJson);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("state document is not JSON", e);
    }
    ObjectNode normalised = ((ObjectNode) root).deepCopy();
    normalised.remove(VOLATILE_ROOT);
    stripVolatile(normalised);
    Set<String> signatures = new TreeSet<>();
    boolean statusChange = false;
    for (DeploymentEvent e : events) {
      statusChange |= e.status() != null;
      signatures.add(sha256(e.deploymentId() + "\n" + e.type() + "\n" + e.message()).substring(0, 16));
    }
    return new StateFingerprint(sha256(normalised.toString()), signatures, statusChange);
  }

  /**
   * True when a review of this state would see nothing the {@code last} review did not: same state,
   * no status change, no event unlike those it was shown.
   */
  public boolean unchangedSince(ReviewMemory.Reviewed last) {
    return !statusChange && stateSha256.equals(last.stateSha256())
        && last.eventSignatures().containsAll(eventSignatures);
  }

  private static void stripVolatile(JsonNode node) {
    if (node instanceof ObjectNode o) {
      o.remove(VOLATILE_FIELDS);
    }
    node.forEach(StateFingerprint::stripVolatile);
  }

  static String sha256(String text) {
    try {
      return HexFormat.of().formatHex(
          MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
