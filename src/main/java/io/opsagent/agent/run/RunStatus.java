package io.opsagent.agent.run;

import io.opsagent.Wire;
import java.util.Locale;

/** The status of an {@code ops_agent_runs} row; {@link #wire()} is how it is stored and shown. */
public enum RunStatus implements Wire {
  RUNNING, COMPLETED, FAILED, SKIPPED;

  public static RunStatus fromWire(String value) {
    return Wire.parse(RunStatus.class, value.toLowerCase(Locale.ROOT), "run status");
  }
}
