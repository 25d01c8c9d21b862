package io.opsagent.agent.run;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** Why a cycle was recorded {@code skipped} without a review. */
public enum SkipReason {
  /** The state equals the one last reviewed and nothing new that matters happened: no model call. */
  UNCHANGED,
  /** The circuit breaker paused the tenant's scheduled cycles. */
  CIRCUIT_OPEN;

  @JsonValue
  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static SkipReason fromWire(String value) {
    return value == null ? null : valueOf(value.toUpperCase(Locale.ROOT));
  }
}
