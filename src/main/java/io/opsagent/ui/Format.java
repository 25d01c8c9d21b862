package io.opsagent.ui;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** How the dashboard writes times, durations and money. */
final class Format {
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'").withZone(ZoneOffset.UTC);

  private Format() {}

  static String time(Instant t) {
    return t == null ? null : TIME.format(t);
  }

  /** "12s ago", "5m ago", "3h ago", "2d ago". */
  static String age(Instant t, Instant now) {
    if (t == null) {
      return null;
    }
    long s = Math.max(0, Duration.between(t, now).getSeconds());
    if (s < 60) {
      return s + "s ago";
    }
    if (s < 3600) {
      return s / 60 + "m ago";
    }
    if (s < 86400) {
      return s / 3600 + "h ago";
    }
    return s / 86400 + "d ago";
  }

  /** "850 ms", "4.2 s", "3m 05s"; "running" while unfinished. */
  static String duration(Instant start, Instant finish) {
    if (start == null || finish == null) {
      return "running";
    }
    long ms = Math.max(0, Duration.between(start, finish).toMillis());
    if (ms < 1000) {
      return ms + " ms";
    }
    if (ms < 60_000) {
      return BigDecimal.valueOf(ms).divide(BigDecimal.valueOf(1000), 1, RoundingMode.HALF_UP) + " s";
    }
    return String.format("%dm %02ds", ms / 60_000, ms / 1000 % 60);
  }

  static String usd(BigDecimal v) {
    return "$" + (v == null ? BigDecimal.ZERO : v).setScale(4, RoundingMode.HALF_UP).toPlainString();
  }
}
