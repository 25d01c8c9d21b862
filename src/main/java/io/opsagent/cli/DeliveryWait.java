package io.opsagent.cli;

import io.opsagent.notify.Delivery;
import io.opsagent.notify.DeliveryStatus;
import io.opsagent.worker.Root;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/** Waiting, in a short-lived command, for a run's alerts to be delivered (or to give up on them). */
final class DeliveryWait {
  private DeliveryWait() {}

  static List<Delivery> awaitSettled(Root services, String tenantId, String runId, Duration max) {
    Instant deadline = services.clock().instant().plus(max);
    while (true) {
      List<Delivery> mine = services.notifications().listByTenant(tenantId, 200).stream()
          .filter(d -> runId.equals(d.runId())).toList();
      boolean settled = mine.stream().allMatch(d -> d.status() != DeliveryStatus.PENDING || d.attempts() > 0);
      if (settled || services.clock().instant().isAfter(deadline)) {
        return mine;
      }
      LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
    }
  }
}
