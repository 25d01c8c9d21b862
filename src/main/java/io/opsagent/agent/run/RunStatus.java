package io.opsagent.agent.run;

/** The status of an {@code ops_agent_runs} row; {@link #wire()} is how it is stored and shown. */
public enum RunStatus {
  RUNNING, COMPLETED, FAILED, SKIPPED;

  @com.fasterxml.jackson.annotation.JsonValue
  public String wire() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  public static RunStatus fromWire(String value) {
    return valueOf(value.toUpperCase(java.util.Locale.ROOT));
  }
}
