package io.opsagent.action;

import io.opsagent.agent.tools.Refusal;
import io.opsagent.agent.tools.RefusalReason;

/**
 * Why the blast-radius gate refused a mutating call. The code leads the refusal text the model gets
 * and the run records ({@code "tenant_hourly_cap: ..."}); each names the {@link RefusalReason} it is
 * recorded and counted as.
 */
enum ActionRefusal implements io.opsagent.Wire {
  /** The deployment does not exist or belongs to another tenant (the same answer for both). */
  UNKNOWN_DEPLOYMENT(RefusalReason.SCOPE),
  /** A mutating action was already admitted in this cycle. */
  ONE_PER_CYCLE(RefusalReason.ONE_PER_CYCLE),
  /** {@code OPSAGENT_MAX_ACTIONS_PER_TENANT_HOUR} actions were admitted within the last hour. */
  TENANT_HOURLY_CAP(RefusalReason.TENANT_HOURLY_CAP),
  /** A third of the workspace's deployments (rounded up) were acted on within the cooldown window. */
  WORKSPACE_SHARE(RefusalReason.WORKSPACE_SHARE),
  /** An action on this deployment did not help recently ({@code OPSAGENT_ACTION_LOCKOUT}). */
  LOCKED_OUT(RefusalReason.LOCKED_OUT),
  /** A rollback to a version this deployment has not run before (or is running now). */
  UNKNOWN_VERSION(RefusalReason.UNKNOWN_VERSION);

  private final RefusalReason reason;

  ActionRefusal(RefusalReason reason) {
    this.reason = reason;
  }

  /** The refusal, worded {@code "<code>: <detail>"}. */
  public Refusal because(String detail) {
    return new Refusal(reason, wire() + ": " + detail);
  }
}
