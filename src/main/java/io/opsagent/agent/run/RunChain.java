package io.opsagent.agent.run;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.opsagent.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.crypto.SecretKey;

/**
 * The hash chain of a tenant's runs. A finished run's {@code chainHash} is HMAC-SHA-256 (hex) under
 * {@code OPSAGENT_AUDIT_KEY} ({@link #hmac}) or, for a run chained while no key was set, plain SHA-256
 * ({@link #hash}), over the previous finished run's {@code chainHash} (runs in order of
 * {@code finishedAt}, then id; "" for the first, or the tenant's audit checkpoint), a newline, and
 * the run's canonical content: a JSON object
 * with sorted keys (at every level) of every field of the run object except {@code chainHash}, with
 * {@code actionsJson} as the JSON it holds, instants in ISO-8601 and {@code costUsd} as a plain
 * decimal string. Changing any recorded field of a run changes its hash, and so breaks the chain;
 * for a keyed run, nobody without the key can compute the hash that would mend it.
 */
public final class RunChain {
  private static final ObjectMapper JSON = Json.CANONICAL;

  private RunChain() {}

  /** The unkeyed link: SHA-256 over the previous hash, a newline and the run's canonical content. */
  public static String hash(String previous, OpsRun run) {
    return sha256Hex((previous == null ? "" : previous) + "\n" + canonical(run));
  }

  /** The keyed link: HMAC-SHA-256 under {@code key} over what {@link #hash} digests. */
  public static String hmac(SecretKey key, String previous, OpsRun run) {
    return AuditKeys.hmacHex(key, (previous == null ? "" : previous) + "\n" + canonical(run));
  }

  /** The run's content as hashed. */
  public static String canonical(OpsRun r) {
    Map<String, Object> m = new TreeMap<>();
    m.put("id", r.id());
    m.put("tenantId", r.tenantId());
    m.put("status", r.status().wire());
    m.put("trigger", r.trigger().wire());
    m.put("startedAt", text(r.startedAt()));
    m.put("finishedAt", text(r.finishedAt()));
    m.put("summary", r.summary());
    m.put("actionsJson", actions(r.actionsJson()));
    m.put("inputTokens", r.inputTokens());
    m.put("outputTokens", r.outputTokens());
    m.put("steps", r.steps());
    m.put("model", r.model());
    m.put("error", r.error());
    m.put("skipReason", r.skipReason() == null ? null : r.skipReason().wire());
    m.put("fallbackReason", r.fallbackReason() == null ? null : r.fallbackReason().wire());
    m.put("cacheReadTokens", r.cacheReadTokens());
    m.put("cacheWriteTokens", r.cacheWriteTokens());
    m.put("costUsd", r.costUsd() == null ? null : r.costUsd().stripTrailingZeros().toPlainString());
    m.put("dryRun", r.dryRun());
    m.put("reasoning", r.reasoning());
    m.put("promptSha256", r.promptSha256());
    m.put("requestIds", r.requestIds());
    try {
      return JSON.writeValueAsString(m);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** What a retention checkpoint's signature covers. */
  public static String checkpointText(String tenantId, long runCount, String chainHash, Instant finishedAt) {
    return "opsagent audit checkpoint\n" + tenantId + "\n" + runCount + "\n" + chainHash + "\n" + finishedAt;
  }

  public static String sha256Hex(String text) {
    try {
      return HexFormat.of().formatHex(
          MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String text(Object o) {
    return o == null ? null : o.toString();
  }

  private static Object actions(String json) {
    if (json == null) {
      return List.of();
    }
    try {
      return JSON.convertValue(JSON.readTree(json), Object.class);
    } catch (IOException e) {
      return json;
    }
  }

  /**
   * How {@code audit verify} found a tenant's chain: {@code chained} runs are in it ({@code unkeyed}
   * of them chained with plain SHA-256 before a key was set), {@code unchained} finished runs are
   * from before the chain existed, {@code position} is how many runs the chain holds from its start
   * (those retention deleted included). When broken, {@code problem} says why, naming
   * {@code firstAlteredRunId} when one run is to blame, or {@code missingAfter} (the number of runs
   * that verified) when runs were deleted from the end.
   */
  public record Verification(int chained, int unchained, int unkeyed, long position,
      String firstAlteredRunId, Long missingAfter, String problem, AuditHead head) {
    public boolean intact() {
      return problem == null;
    }
  }

}
