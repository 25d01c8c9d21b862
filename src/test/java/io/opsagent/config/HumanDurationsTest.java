package io.opsagent.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HumanDurationsTest {

  @Test
  void durationsReadAsPeopleSayThem() {
    assertThat(HumanDurations.of(Duration.ofDays(90))).isEqualTo("90 days");
    assertThat(HumanDurations.of(Duration.ofHours(1))).isEqualTo("1 hour");
    assertThat(HumanDurations.of(Duration.ofMinutes(90))).isEqualTo("1 hour 30 minutes");
    assertThat(HumanDurations.of(Duration.ofSeconds(15))).isEqualTo("15 seconds");
    assertThat(HumanDurations.of(Duration.ofMillis(500))).isEqualTo("500 ms");
    assertThat(HumanDurations.of(Duration.ZERO)).isEqualTo("0 seconds");
  }

  @Test
  void theStartLineOfTheDefaultConfigurationHasNoIsoDurationLeft() {
    String line = HumanDurations.in(Config.fromEnv(Map.of()).toString());
    assertThat(line).contains("retention=90 days").contains("cycleInterval=5 minutes")
        .contains("restart=30 minutes").contains("watchdogAfter=1 minute")
        .doesNotContainPattern("=-?PT?\\d");
    // what is not a duration stays as it was
    assertThat(line).contains("claude-sonnet-4-5=3/15/3.75/0.30").contains("dailyTokenBudget=500000");
  }
}
