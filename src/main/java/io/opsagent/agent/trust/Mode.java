package io.opsagent.agent.trust;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** How a tenant's agent acts: {@code live}, or {@code dry-run} (notifying and mutating calls recorded, not executed). */
public enum Mode {
  LIVE, DRY_RUN;

  @JsonValue
  public String wire() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** The mode named {@code value}; {@link IllegalArgumentException} naming the valid ones otherwise. */
  public static Mode fromWire(String value) {
    for (Mode m : values()) {
      if (m.wire().equals(value)) {
        return m;
      }
    }
    throw new IllegalArgumentException("mode must be \"live\" or \"dry-run\", got '" + value + "'");
  }
}
