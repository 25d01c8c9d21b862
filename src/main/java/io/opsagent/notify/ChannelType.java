package io.opsagent.notify;

import io.opsagent.Wire;

/**
 * The kinds of notification channel; {@link #wire()} is the contract's spelling. Every type gets
 * an incident's page, updates and resolved notice; only {@link #PAGERDUTY} also gets its
 * {@code acknowledged} notice (PagerDuty's own alert state follows opsagent's), so the payloads of
 * the others keep their three statuses.
 */
public enum ChannelType implements Wire {
  WEBHOOK, SLACK, EMAIL, PAGERDUTY;

  /** Whether a channel of this type is sent alerts of {@code alertStatus} ({@link Alert#status()}). */
  public boolean takes(String alertStatus) {
    return this == PAGERDUTY || !Alert.ACKNOWLEDGED.equals(alertStatus);
  }

  /** Parses the contract's lower-case spelling; throws with the accepted values otherwise. */
  public static ChannelType fromWire(String value) {
    return Wire.parse(ChannelType.class, value, "type");
  }
}
