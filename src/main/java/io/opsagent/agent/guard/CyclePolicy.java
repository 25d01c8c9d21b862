package io.opsagent.agent.guard;

import io.opsagent.agent.run.OpsRun;
import io.opsagent.queue.schedule.Trigger;
import java.util.Optional;

/**
 * Where the circuit breaker plugs into the ops loop. Both methods default to doing nothing.
 *
 * <p>{@link #skipReason} is asked before a cycle starts: a reason turns the cycle into a
 * {@code skipped} run without gathering state or calling the model (e.g. "circuit open after 3
 * failed cycles"). {@link #finished} is told every recorded outcome — completed, failed or
 * skipped — so consecutive failures can be counted, a successful probe can reset the breaker and a
 * pause can be announced. A hook that throws from {@link #finished} is logged and does not change
 * the recorded run; one that throws from {@link #skipReason} fails the call before any run is written.
 */
public interface CyclePolicy {
  CyclePolicy NONE = new CyclePolicy() {};

  default Optional<String> skipReason(String tenantId, Trigger trigger) {
    return Optional.empty();
  }

  default void finished(OpsRun run) {}
}
