package io.opsagent.action;

import java.util.Optional;

/**
 * What may hold an action back right before it is sent: the cluster-wide kill switch and the
 * tenant's dry-run mode. Asked when a call is admitted and again by the queued job before it sends
 * (a hold then records the action {@code cancelled}, never sent).
 *
 * <p>The kill switch and the tenant mode are not part of this package: whoever adds them wires an
 * implementation here (in {@code worker.Root}); until then {@link #NONE} holds nothing.
 */
@FunctionalInterface
public interface ActionHolds {
  ActionHolds NONE = tenantId -> Optional.empty();

  /** Why actions of {@code tenantId} must not be sent now (e.g. "the kill switch is engaged"). */
  Optional<String> hold(String tenantId);
}
