package io.opsagent.db;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * Times are UTC instants at millisecond precision, so what is written to either database reads back
 * equal. The one place that turns "now" and a JDBC timestamp into an {@link Instant}.
 */
public final class Times {
  private Times() {}

  /** The time of {@code clock} at millisecond precision (the process's clock, see {@code worker.Root}). */
  public static Instant current(Clock clock) {
    return clock.instant().truncatedTo(ChronoUnit.MILLIS);
  }

  /** A nullable JDBC timestamp as an instant. */
  public static Instant instant(Timestamp ts) {
    return ts == null ? null : ts.toInstant();
  }
}
