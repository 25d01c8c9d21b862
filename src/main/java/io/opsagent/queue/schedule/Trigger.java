package io.opsagent.queue.schedule;

import io.opsagent.Wire;
import java.util.Locale;

/** What started a cycle; {@link #wire()} is how it is stored and shown. */
public enum Trigger implements Wire {
  SCHEDULE, MANUAL, EVENT;

  public static Trigger fromWire(String value) {
    return Wire.parse(Trigger.class, value.toLowerCase(Locale.ROOT), "trigger");
  }
}
