package io.opsagent.notify;

import io.opsagent.Wire;

/** How urgent an alert is; critical &gt; warning &gt; info. {@link #wire()} is the contract's spelling. */
public enum Severity implements Wire {
  CRITICAL, WARNING, INFO;

  /** Parses the contract's lower-case spelling; throws with the accepted values otherwise. */
  public static Severity fromWire(String value) {
    return Wire.parse(Severity.class, value, "severity");
  }
}
