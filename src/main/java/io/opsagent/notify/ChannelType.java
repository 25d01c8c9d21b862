package io.opsagent.notify;

import java.util.Locale;

/**
 * The kinds of notification channel; {@link #wire()} is the contract's spelling. Every type gets
 * an incident's page, updates and resolved notice; only {@link #PAGERDUTY} also gets its
 * {@code acknowledged} notice (PagerDuty's own alert state follows opsagent's), so the payloads of
 * the others keep their three statuses.
 */
public enum ChannelType {
  WEBHOOK, SLACK, EMAIL, PAGERDUTY;

  /** Whether a channel of this type is sent alerts of {@code alertStatus} ({@link Alert#status()}). */
  public boolean takes(String alertStatus) {
    return this == PAGERDUTY || !Alert.ACKNOWLEDGED.equals(alertStatus);
  }

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
        "type must be one of webhook, slack, email, pagerduty; got '" + value + "'");
  }
}
