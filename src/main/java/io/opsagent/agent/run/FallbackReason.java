package io.opsagent.agent.run;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** Why the rules engine decided a cycle instead of the model ({@code model} is then {@code rules}). */
public enum FallbackReason {
  NO_API_KEY, BUDGET_EXHAUSTED, KILL_SWITCH;

  @JsonValue
  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static FallbackReason fromWire(String value) {
    return value == null ? null : valueOf(value.toUpperCase(Locale.ROOT));
  }
}
