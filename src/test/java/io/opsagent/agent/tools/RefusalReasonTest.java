package io.opsagent.agent.tools;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RefusalReasonTest {
  @Test
  void blastRadiusRefusalsAreCountedByTheirCode() {
    assertThat(RefusalReason.classify("one_per_cycle: one mutating action per cycle"))
        .isEqualTo(RefusalReason.ONE_PER_CYCLE);
    assertThat(RefusalReason.classify("tenant_hourly_cap: at most 3 actions"))
        .isEqualTo(RefusalReason.TENANT_HOURLY_CAP);
    assertThat(RefusalReason.classify("locked_out: an action on this deployment did not recover it"))
        .isEqualTo(RefusalReason.LOCKED_OUT);
    assertThat(RefusalReason.classify("unknown_deployment: unknown deploymentId 'x'"))
        .isEqualTo(RefusalReason.SCOPE);
  }

  @Test
  void anOutageOfTheCooldownStoreIsNotCountedAsACooldown() {
    assertThat(RefusalReason.classify("refused (fail closed): Redis at 127.0.0.1:6379 unreachable"))
        .isEqualTo(RefusalReason.STORE_UNAVAILABLE);
    assertThat(RefusalReason.classify("restartDeployment of deployment d is on cooldown for 29m"))
        .isEqualTo(RefusalReason.COOLDOWN);
  }
}
