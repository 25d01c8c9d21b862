package io.opsagent.agent.run;

import io.opsagent.Wire;

/** Why the rules engine decided a cycle instead of the model ({@code model} is then {@code rules}). */
public enum FallbackReason implements Wire {
  NO_API_KEY, BUDGET_EXHAUSTED, KILL_SWITCH;

  public static FallbackReason fromWire(String value) {
    return Wire.parseNullable(FallbackReason.class, value, "fallback reason");
  }
}
