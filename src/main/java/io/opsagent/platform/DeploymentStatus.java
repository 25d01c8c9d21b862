package io.opsagent.platform;

/** A deployment's lifecycle status, as the platform reports it. */
public enum DeploymentStatus {
  PENDING, DEPLOYING, RUNNING, DEGRADED, FAILED, STOPPED;

  /** Parses a status name exactly as the contract spells it; throws with the accepted values. */
  public static DeploymentStatus parse(String value) {
    for (DeploymentStatus s : values()) {
      if (s.name().equals(value)) {
        return s;
      }
    }
    throw new IllegalArgumentException("unknown deployment status '" + value
        + "' (expected one of " + java.util.Arrays.toString(values()) + ")");
  }
}
