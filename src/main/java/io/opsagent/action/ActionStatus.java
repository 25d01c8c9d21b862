package io.opsagent.action;

import io.opsagent.Wire;

/**
 * Where an action is: {@code queued} (admitted, waiting on the deployment queue), {@code sent} (the
 * platform accepted it; its effect is awaited), then exactly one final status: {@code cancelled}
 * (the kill switch or dry-run held it back before sending), {@code failed} (the platform refused it,
 * or could not be reached after every retry), {@code helped} (the deployment became RUNNING) or
 * {@code not_helped} (FAILED or DEGRADED after it, or nothing by the verification deadline).
 */
public enum ActionStatus implements Wire {
  QUEUED, SENT, CANCELLED, FAILED, HELPED, NOT_HELPED;

  public boolean isFinal() {
    return this != QUEUED && this != SENT;
  }

  public static ActionStatus fromWire(String wire) {
    return Wire.parse(ActionStatus.class, wire, "action status");
  }
}
