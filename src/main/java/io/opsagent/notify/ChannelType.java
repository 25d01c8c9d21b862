package io.opsagent.notify;

import io.opsagent.Wire;

/** The kinds of notification channel; {@link #wire()} is the contract's spelling. */
public enum ChannelType implements Wire {
  WEBHOOK, SLACK, EMAIL;

  /** Parses the contract's lower-case spelling; throws with the accepted values otherwise. */
  public static ChannelType fromWire(String value) {
    return Wire.parse(ChannelType.class, value, "type");
  }
}
