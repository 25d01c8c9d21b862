package io.opsagent.action;

import java.util.Arrays;
import java.util.Locale;

/**
 * Where an action is: {@code queued} (admitted, waiting on the deployment queue), {@code sent} (the
 * platform accepted it; its effect is awaited), then exactly one final status: {@code cancelled}
 * (the kill switch or dry-run held it back before sending), {@code failed} (the platform refused it,
 * or could not be reached after every retry), {@code helped} (the deployment became RUNNING) or
 * {@code not_helped} (FAILED or DEGRADED after it, or nothing by the verification deadline).
 */
public enum ActionStatus {
  QUEUED, SENT, CANCELLED, FAILED, HELPED, NOT_HELPED;

  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  public boolean isFinal() {
    return this != QUEUED && this != SENT;
  }

  public static ActionStatus fromWire(String wire) {
    return Arrays.stream(values()).filter(s -> s.wire().equals(wire)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("unknown action status '" + wire + "'"));
  }
}
