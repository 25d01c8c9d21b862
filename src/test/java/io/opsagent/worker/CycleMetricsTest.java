package io.opsagent.worker;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CycleMetricsTest {
  @Test
  void blastRadiusRefusalsAreCountedByTheirCode() {
    assertThat(CycleMetrics.category("one_per_cycle: one mutating action per cycle")).isEqualTo("one_per_cycle");
    assertThat(CycleMetrics.category("tenant_hourly_cap: at most 3 actions")).isEqualTo("tenant_hourly_cap");
    assertThat(CycleMetrics.category("locked_out: an action on this deployment did not recover it"))
        .isEqualTo("locked_out");
    assertThat(CycleMetrics.category("unknown_deployment: unknown deploymentId 'x'")).isEqualTo("scope");
  }
}
