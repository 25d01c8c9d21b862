package io.opsagent.agent.run;

/** What started a cycle; {@link #wire()} is how it is stored and shown. */
public enum Trigger {
  SCHEDULE, MANUAL, EVENT;

  @com.fasterxml.jackson.annotation.JsonValue
  public String wire() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  public static Trigger fromWire(String value) {
    return valueOf(value.toUpperCase(java.util.Locale.ROOT));
  }
}
