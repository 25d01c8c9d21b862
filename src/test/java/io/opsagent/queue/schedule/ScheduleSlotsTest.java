package io.opsagent.queue.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class ScheduleSlotsTest {
  final ScheduleSlots slots = new ScheduleSlots(Duration.ofMinutes(5));

  @Test
  void aTenantsSlotsAreOneIntervalApartAndTheSameInEveryProcess() {
    String tenant = "0b7c6a4e-5d0e-4c55-9d1f-2f3c4b5a6d7e";
    Instant now = Instant.parse("2026-11-25T12:00:00Z");

    Instant first = slots.next(tenant, now);
    Instant second = slots.next(tenant, first);

    assertThat(first).isAfter(now).isBeforeOrEqualTo(now.plus(Duration.ofMinutes(5)));
    assertThat(Duration.between(first, second)).isEqualTo(Duration.ofMinutes(5));
    assertThat(new ScheduleSlots(Duration.ofMinutes(5)).next(tenant, now)).isEqualTo(first);
    assertThat(slots.next(tenant, first.minusMillis(1))).isEqualTo(first);
  }

  /**
   * The slot function is part of the stored schedule: changing it would move every tenant's cycles
   * on upgrade (and let two versions disagree). These values pin it.
   */
  @Test
  void slotsArePinnedAcrossVersions() {
    Instant now = Instant.parse("2026-11-25T12:00:00Z");

    assertThat(slots.next("0b7c6a4e-5d0e-4c55-9d1f-2f3c4b5a6d7e", now))
        .isEqualTo(Instant.parse("2026-11-25T12:03:43.826Z"));
    assertThat(slots.next("tenant-a", now)).isEqualTo(Instant.parse("2026-11-25T12:03:52.361Z"));
    assertThat(slots.next("00000000-0000-0000-0000-000000000001", now))
        .isEqualTo(Instant.parse("2026-11-25T12:02:23.513Z"));
  }

  @Test
  void tenThousandTenantsAreSpreadOverTheInterval() {
    Instant now = Instant.parse("2026-11-25T12:00:00Z");
    Map<Long, Integer> perSecond = new HashMap<>();
    for (int i = 0; i < 10_000; i++) {
      perSecond.merge(slots.next(UUID.randomUUID().toString(), now).getEpochSecond(), 1, Integer::sum);
    }

    double mean = 10_000 / 300.0;
    assertThat(perSecond.values()).allMatch(n -> n <= 2 * mean);
    assertThat(perSecond).hasSizeGreaterThan(290);
  }
}
