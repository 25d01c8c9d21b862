package io.opsagent.action;

import java.util.Locale;

/**
 * Why the blast-radius gate refused a mutating call. The code leads the refusal text the model gets
 * and the run records ({@code "tenant_hourly_cap: ..."}), so refusals can be counted by kind.
 */
public enum ActionRefusal {
  /** The deployment does not exist or belongs to another tenant (the same answer for both). */
  UNKNOWN_DEPLOYMENT,
  /** A mutating action was already admitted in this cycle. */
  ONE_PER_CYCLE,
  /** {@code OPSAGENT_MAX_ACTIONS_PER_TENANT_HOUR} actions were admitted within the last hour. */
  TENANT_HOURLY_CAP,
  /** A third of the workspace's deployments (rounded up) were acted on within the cooldown window. */
  WORKSPACE_SHARE,
  /** An action on this deployment did not help recently ({@code OPSAGENT_ACTION_LOCKOUT}). */
  LOCKED_OUT,
  /** A rollback to a version this deployment has not run before (or is running now). */
  UNKNOWN_VERSION;

  public String code() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The refusal text: {@code "<code>: <detail>"}. */
  public String because(String detail) {
    return code() + ": " + detail;
  }
}
