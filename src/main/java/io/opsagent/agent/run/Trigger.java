package io.opsagent.agent.run;

import io.opsagent.Wire;

/** What started a cycle; {@link #wire()} is how it is stored and shown. */
public enum Trigger implements Wire {
  SCHEDULE, MANUAL, EVENT;

  public static Trigger fromWire(String value) {
    return Wire.parse(Trigger.class, value, "trigger");
  }
}
