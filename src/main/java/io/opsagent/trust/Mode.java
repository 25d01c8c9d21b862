package io.opsagent.trust;

import io.opsagent.Wire;
import java.util.Locale;

/** How a tenant's agent acts: {@code live}, or {@code dry-run} (notifying and mutating calls recorded, not executed). */
public enum Mode implements Wire {
  LIVE, DRY_RUN;

  @Override
  public String wire() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** The mode named {@code value}; {@link IllegalArgumentException} naming the valid ones otherwise. */
  public static Mode fromWire(String value) {
    return Wire.find(Mode.class, value).orElseThrow(() ->
        new IllegalArgumentException("mode must be \"live\" or \"dry-run\", got '" + value + "'"));
  }
}
