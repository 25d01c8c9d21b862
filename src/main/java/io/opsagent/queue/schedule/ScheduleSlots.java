package io.opsagent.queue.schedule;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.zip.CRC32;

/**
 * Each tenant's cycles fall on its own slots: {@code offset + k × interval}, where the offset is a
 * stable hash of the tenant id modulo the interval. 10,000 tenants are spread evenly over the
 * interval instead of all firing in the same second, and stay spread across restarts and cycles.
 */
final class ScheduleSlots {
  private final Duration interval;

  ScheduleSlots(Duration interval) {
    if (interval.toMillis() <= 0) {
      throw new IllegalArgumentException("the cycle interval must be at least 1 ms");
    }
    this.interval = interval;
  }

  Duration interval() {
    return interval;
  }

  /** The tenant's first slot strictly after {@code after}. */
  Instant next(String tenantId, Instant after) {
    long period = interval.toMillis();
    long t = after.toEpochMilli();
    long lastSlot = t - Math.floorMod(t - offset(tenantId, period), period);
    return Instant.ofEpochMilli(lastSlot + period);
  }

  static long offset(String tenantId, long period) {
    CRC32 crc = new CRC32();
    crc.update(tenantId.getBytes(StandardCharsets.UTF_8));
    long h = crc.getValue() * 0x9E3779B97F4A7C15L; // spread CRC's linear structure over all bits
    return Math.floorMod(h ^ (h >>> 29), period);
  }
}
