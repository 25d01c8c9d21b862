package io.opsagent.agent;

import java.util.Optional;

/**
 * Where the circuit breaker plugs into the ops loop. Both methods default to doing nothing.
 *
 * <p>{@link #skipReason} is asked before a cycle starts: a reason turns the cycle into a
 * {@code skipped} run without gathering state or calling the model (e.g. "circuit open after 3
 * failed cycles"). {@link #finished} is told the outcome of every cycle that ran, completed or
 * failed, so consecutive failures can be counted and a success can reset the count. A hook that
 * throws is logged and does not change the recorded run.
 */
public interface CycleHooks {
  CycleHooks NONE = new CycleHooks() {};

  default Optional<String> skipReason(String tenantId) {
    return Optional.empty();
  }

  default void finished(OpsRun run) {}
}
