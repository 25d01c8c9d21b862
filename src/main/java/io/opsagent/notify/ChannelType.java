package io.opsagent.notify;

import java.util.Locale;

/** The kinds of notification channel; {@link #wire()} is the contract's spelling. */
public enum ChannelType {
  WEBHOOK, SLACK, EMAIL;

  @com.fasterxml.jackson.annotation.JsonValue
  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses the contract's lower-case spelling; throws with the accepted values otherwise. */
  public static ChannelType fromWire(String value) {
    for (ChannelType t : values()) {
      if (t.wire().equals(value)) {
        return t;
      }
    }
    throw new IllegalArgumentException(
        "type must be one of webhook, slack, email; got '" + value + "'");
  }
}
