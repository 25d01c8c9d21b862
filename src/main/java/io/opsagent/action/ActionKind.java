package io.opsagent.action;

import io.opsagent.Wire;
import java.util.Arrays;
import java.util.Optional;

/** The platform actions the agent can ask for, each with its tool and its wire name. */
public enum ActionKind implements Wire {
  RESTART("restart", "restartDeployment"),
  ROLLBACK("rollback", "rollbackDeployment");

  private final String wire;
  private final String tool;

  ActionKind(String wire, String tool) {
    this.wire = wire;
    this.tool = tool;
  }

  /** As stored in {@code ops_actions.action} and sent as the control request's {@code action}. */
  @Override
  public String wire() {
    return wire;
  }

  /** The name of the tool offered to the model. */
  public String tool() {
    return tool;
  }

  public static Optional<ActionKind> ofTool(String tool) {
    return Arrays.stream(values()).filter(k -> k.tool.equals(tool)).findFirst();
  }

  public static ActionKind fromWire(String wire) {
    return Wire.parse(ActionKind.class, wire, "action");
  }
}
