package io.opsagent.notify;

import java.util.Locale;

/** How urgent an alert is; critical &gt; warning &gt; info. {@link #wire()} is the contract's spelling. */
public enum Severity {
  CRITICAL, WARNING, INFO;

  @com.fasterxml.jackson.annotation.JsonValue
  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses the contract's lower-case spelling; throws with the accepted values otherwise. */
  public static Severity fromWire(String value) {
    for (Severity s : values()) {
      if (s.wire().equals(value)) {
        return s;
      }
    }
    throw new IllegalArgumentException(
        "severity must be one of critical, warning, info; got '" + value + "'");
  }
}
