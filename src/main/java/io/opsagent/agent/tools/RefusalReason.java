package io.opsagent.agent.tools;

import io.opsagent.Wire;

/**
 * Why a tool call was refused, as a closed set: the {@code refusal} of each refused call in a run's
 * actions and the {@code reason} tag of the {@code opsagent.actions.refused} metric, so a cooldown
 * and an outage of the cooldown store are never counted as the same thing. Each refusal carries
 * its reason from where it is decided ({@link Refusal}).
 */
public enum RefusalReason implements Wire {
  UNKNOWN_TOOL, INVALID_INPUT, SCOPE, BUDGET, STORE_UNAVAILABLE, COOLDOWN, DUPLICATE_ALERT, REPEATED_CALL,
  /** Blast radius of platform actions (their refusals start with {@code "<code>: "}). */
  LOCKED_OUT, ONE_PER_CYCLE, TENANT_HOURLY_CAP, WORKSPACE_SHARE, UNKNOWN_VERSION,
  /** The tenant's alerts of the hour are used up ({@code OPSAGENT_MAX_ALERTS_PER_TENANT_HOUR}). */
  ALERT_STORM,
  POLICY;

  /** The reason recorded as {@code value}; {@link #POLICY} for anything else. */
  public static RefusalReason fromWire(String value) {
    return Wire.find(RefusalReason.class, value).orElse(POLICY);
  }
}
