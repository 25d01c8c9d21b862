package io.opsagent.config;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as people read them: {@code PT2160H} is "90 days", {@code PT90M} "1 hour 30 minutes".
 * Settings are still written in ISO-8601 ({@code OPSAGENT_RETENTION=P90D}); this is for what opsagent
 * prints back.
 */
public final class HumanDurations {
  /** An ISO-8601 duration standing alone as a value: after '=', a space or an opening bracket. */
  private static final Pattern ISO = Pattern.compile(
      "(?<=^|[=\\s\\[{(,])-?P(?=[\\dT])(?:\\d+D)?(?:T(?:-?\\d+H)?(?:-?\\d+M)?(?:-?\\d+(?:\\.\\d+)?S)?)?"
          + "(?=$|[\\s,\\]}):;])");

  private HumanDurations() {}

  /** "90 days", "1 hour 30 minutes", "15 seconds", "500 ms", "0 seconds". */
  public static String of(Duration d) {
    if (d.isNegative()) {
      return "-" + of(d.negated());
    }
    if (d.isZero()) {
      return "0 seconds";
    }
    List<String> parts = new ArrayList<>();
    add(parts, d.toDays(), "day");
    add(parts, d.toHoursPart(), "hour");
    add(parts, d.toMinutesPart(), "minute");
    add(parts, d.toSecondsPart(), "second");
    if (d.toMillisPart() > 0) {
      parts.add(d.toMillisPart() + " ms");
    }
    return String.join(" ", parts);
  }

  /** {@code text} with every ISO-8601 duration value in it written as {@link #of} writes it. */
  public static String in(String text) {
    Matcher m = ISO.matcher(text);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String replacement;
      try {
        replacement = of(Duration.parse(m.group()));
      } catch (DateTimeParseException e) {
        replacement = m.group();
      }
      m.appendReplacement(out, Matcher.quoteReplacement(replacement));
    }
    m.appendTail(out);
    return out.toString();
  }

  private static void add(List<String> parts, long n, String unit) {
    if (n > 0) {
      parts.add(n + " " + unit + (n == 1 ? "" : "s"));
    }
  }
}
