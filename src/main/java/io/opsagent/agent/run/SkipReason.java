package io.opsagent.agent.run;

import io.opsagent.Wire;

/** Why a cycle was recorded {@code skipped} without a review. */
public enum SkipReason implements Wire {
  /** The state equals the one last reviewed and nothing new that matters happened: no model call. */
  UNCHANGED,
  /** The circuit breaker paused the tenant's scheduled cycles. */
  CIRCUIT_OPEN;

  public static SkipReason fromWire(String value) {
    return Wire.parseNullable(SkipReason.class, value, "skip reason");
  }
}
