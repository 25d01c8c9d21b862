package io.opsagent.notify;

import java.util.Locale;

/** Where a delivery stands: {@code pending} until delivered, or {@code failed} after the last attempt. */
public enum DeliveryStatus {
  PENDING, DELIVERED, FAILED;

  @com.fasterxml.jackson.annotation.JsonValue
  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static DeliveryStatus fromWire(String value) {
    return valueOf(value.toUpperCase(Locale.ROOT));
  }
}
