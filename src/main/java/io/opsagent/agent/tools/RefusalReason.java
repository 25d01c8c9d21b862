package io.opsagent.agent.tools;

import java.util.Locale;

/**
 * Why a tool call was refused, as a closed set: the {@code refusal} of each refused call in a run's
 * actions and the {@code reason} tag of the {@code opsagent.actions.refused} metric, so a cooldown
 * and an outage of the cooldown store are never counted as the same thing.
 */
public enum RefusalReason {
  UNKNOWN_TOOL, INVALID_INPUT, SCOPE, BUDGET, STORE_UNAVAILABLE, COOLDOWN, DUPLICATE_ALERT, REPEATED_CALL,
  /** Blast radius of platform actions (their refusals start with {@code "<code>: "}). */
  LOCKED_OUT, ONE_PER_CYCLE, TENANT_HOURLY_CAP, WORKSPACE_SHARE, UNKNOWN_VERSION,
  /** The tenant's alerts of the hour are used up ({@code OPSAGENT_MAX_ALERTS_PER_TENANT_HOUR}). */
  ALERT_STORM,
  POLICY;

  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The reason of a refusal message written by the tool pipeline or a guardrail check. */
  public static RefusalReason classify(String message) {
    String r = message == null ? "" : message.toLowerCase(Locale.ROOT);
    int colon = r.indexOf(':');
    if (colon > 0 && r.substring(0, colon).matches("[a-z_]+")) {
      String code = r.substring(0, colon);
      if (code.equals("unknown_deployment")) {
        return SCOPE;
      }
      for (RefusalReason reason : values()) {
        if (reason.wire().equals(code)) {
          return reason;
        }
      }
    }
    if (r.startsWith("unknown tool")) {
      return UNKNOWN_TOOL;
    }
    if (r.startsWith("invalid input") || r.contains("must name its")) {
      return INVALID_INPUT;
    }
    if (r.startsWith("unknown workspaceid") || r.startsWith("unknown deploymentid")
        || r.contains("not found")) {
      return SCOPE;
    }
    if (r.contains("action budget")) {
      return BUDGET;
    }
    // before "cooldown": an outage of the cooldown store mentions the cooldown too
    if (r.contains("fail closed") || r.contains("unavailable") || r.contains("redis")) {
      return STORE_UNAVAILABLE;
    }
    if (r.contains("already sent")) {
      return DUPLICATE_ALERT;
    }
    if (r.contains("cooldown")) {
      return COOLDOWN;
    }
    if (r.contains("identical") || r.contains("already made")) {
      return REPEATED_CALL;
    }
    return POLICY;
  }
}
