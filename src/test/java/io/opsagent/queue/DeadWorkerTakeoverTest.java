package io.opsagent.queue;

import static org.assertj.core.api.Assertions.assertThat;

import io.opsagent.config.Config;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * How long a killed worker holds its tenants' cycles, from db-scheduler's dead-execution rule (the
 * mechanism itself is exercised with a short heartbeat by {@code WorkerProcessTest}, which kills a
 * worker with SIGKILL mid-cycle).
 */
class DeadWorkerTakeoverTest {

  @Test
  void withTheDefaultsAKilledWorkersCycleIsTakenOverWithinAMinute() {
    Config defaults = Config.fromEnv(Map.of());

    assertThat(defaults.scheduling().heartbeatInterval()).isEqualTo(Duration.ofSeconds(8));
    assertThat(Queues.worstCaseTakeover(defaults.scheduling())).isEqualTo(Duration.ofSeconds(50))
        .isLessThanOrEqualTo(Duration.ofSeconds(60));
  }

  @Test
  void theTakeoverBoundFollowsTheHeartbeat() {
    Config slow = Config.fromEnv(Map.of("OPSAGENT_HEARTBEAT_INTERVAL", "PT30S"));

    assertThat(Queues.worstCaseTakeover(slow.scheduling())).isEqualTo(Duration.ofSeconds(182));
  }
}
