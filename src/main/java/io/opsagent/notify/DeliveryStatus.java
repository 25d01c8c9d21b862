package io.opsagent.notify;

import io.opsagent.Wire;
import java.util.Locale;

/** Where a delivery stands: {@code pending} until delivered, or {@code failed} after the last attempt. */
public enum DeliveryStatus implements Wire {
  PENDING, DELIVERED, FAILED;

  public static DeliveryStatus fromWire(String value) {
    return Wire.parse(DeliveryStatus.class, value.toLowerCase(Locale.ROOT), "delivery status");
  }
}
