package io.opsagent.ui;

import io.opsagent.agent.run.RunRepository.DailyUsage;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Lays out a tenant's last 1, 7 or 30 days of {@code ops_usage_daily} as an inline SVG: one bar of
 * tokens (input + output + cache) per UTC day against the left axis (tokens), and the day's cost as
 * a line against the right axis (USD), with the days along the bottom. Days without a row are zero.
 * Each axis runs from zero to a round number at or above the range's largest day. No chart library:
 * the numbers become rectangles, a polyline and text here.
 */
final class UsageChart {
  /** The time ranges a page may ask for, in days; the first is the default. */
  static final List<Integer> RANGES = List.of(30, 7, 1);
  static final int DAYS = 30;
  private static final int WIDTH = 720;
  private static final int HEIGHT = 190;
  private static final int LEFT = 64;
  private static final int RIGHT = WIDTH - 64;
  private static final int TOP = 24;
  private static final int BOTTOM = HEIGHT - 24;
  private static final int TICKS = 4;

  private UsageChart() {}

  static Views.Chart of(List<DailyUsage> usage, LocalDate today) {
    return of(usage, today, DAYS);
  }

  static Views.Chart of(List<DailyUsage> usage, LocalDate today, int days) {
    LocalDate first = today.minusDays(days - 1L);
    Map<LocalDate, DailyUsage> byDay = usage.stream().filter(u -> !u.day().isBefore(first))
        .collect(Collectors.toMap(DailyUsage::day, Function.identity(), (a, b) -> a));
    long maxTokens = 0;
    BigDecimal maxCost = BigDecimal.ZERO;
    long totalTokens = 0;
    BigDecimal totalCost = BigDecimal.ZERO;
    for (DailyUsage u : byDay.values()) {
      long t = tokens(u);
      maxTokens = Math.max(maxTokens, t);
      maxCost = maxCost.max(cost(u));
      totalTokens += t;
      totalCost = totalCost.add(cost(u));
    }
    long tokenTop = roundUp(maxTokens);
    BigDecimal costTop = roundUp(maxCost);
    int slot = (RIGHT - LEFT) / days;
    int plot = BOTTOM - TOP;
    List<Views.Bar> bars = new ArrayList<>();
    List<Views.Tick> dayTicks = new ArrayList<>();
    StringBuilder points = new StringBuilder();
    int every = days <= 7 ? 1 : 5;
    for (int i = 0; i < days; i++) {
      LocalDate day = first.plusDays(i);
      DailyUsage u = byDay.get(day);
      long t = u == null ? 0 : tokens(u);
      BigDecimal c = u == null ? BigDecimal.ZERO : cost(u);
      int h = (int) Math.round((double) t / tokenTop * plot);
      int x = LEFT + i * slot;
      bars.add(new Views.Bar(x + 1, BOTTOM - h, Math.max(1, slot - 2), h,
          day + ": " + t + " tokens, " + Format.usd(c) + ", " + (u == null ? 0 : u.runs()) + " runs"));
      int cy = BOTTOM - c.multiply(BigDecimal.valueOf(plot)).divide(costTop, 0, RoundingMode.HALF_UP).intValue();
      points.append(i == 0 ? "" : " ").append(x + slot / 2).append(',').append(cy);
      if (i == days - 1 || (days - 1 - i) % every == 0) {
        dayTicks.add(new Views.Tick(x + slot / 2, day.toString().substring(5)));
      }
    }
    if (days == 1) {
      // one bar: a line needs two points, so the day's cost is drawn across its slot
      int cy = Integer.parseInt(points.substring(points.indexOf(",") + 1));
      points.setLength(0);
      points.append(LEFT).append(',').append(cy).append(' ').append(RIGHT).append(',').append(cy);
    }
    List<Views.Tick> tokenTicks = new ArrayList<>();
    List<Views.Tick> costTicks = new ArrayList<>();
    for (int k = 0; k <= TICKS; k++) {
      int y = BOTTOM - plot * k / TICKS;
      tokenTicks.add(new Views.Tick(y, tokens(tokenTop * k / TICKS)));
      costTicks.add(new Views.Tick(y, usd(costTop.multiply(BigDecimal.valueOf(k))
          .divide(BigDecimal.valueOf(TICKS), 6, RoundingMode.HALF_UP))));
    }
    return new Views.Chart(WIDTH, HEIGHT, bars, points.toString(), Long.toString(maxTokens), Format.usd(maxCost),
        first.toString(), today.toString(), totalTokens, Format.usd(totalCost), days, LEFT, RIGHT, TOP, BOTTOM,
        tokenTicks, costTicks, dayTicks);
  }

  /** The smallest 1, 2 or 5 times a power of ten at or above {@code v} (and at least 4, so ticks are whole). */
  static long roundUp(long v) {
    long step = 1;
    while (true) {
      for (long m : new long[] {1, 2, 5}) {
        if (m * step >= Math.max(v, 4)) {
          return m * step;
        }
      }
      step *= 10;
    }
  }

  /** The same for dollars: at least $0.01. */
  static BigDecimal roundUp(BigDecimal v) {
    BigDecimal step = new BigDecimal("0.01");
    while (true) {
      for (int m : new int[] {1, 2, 5}) {
        BigDecimal top = step.multiply(BigDecimal.valueOf(m));
        if (top.compareTo(v) >= 0) {
          return top;
        }
      }
      step = step.multiply(BigDecimal.TEN);
    }
  }

  /** "0", "850", "12k", "1.5M" tokens. */
  static String tokens(long n) {
    if (n < 1000) {
      return Long.toString(n);
    }
    if (n < 1_000_000) {
      return trim(BigDecimal.valueOf(n).divide(BigDecimal.valueOf(1000), 1, RoundingMode.HALF_UP)) + "k";
    }
    return trim(BigDecimal.valueOf(n).divide(BigDecimal.valueOf(1_000_000), 1, RoundingMode.HALF_UP)) + "M";
  }

  /** "$0", "$0.0025", "$1.50", "$20". */
  static String usd(BigDecimal v) {
    if (v.signum() == 0) {
      return "$0";
    }
    BigDecimal s = v.compareTo(BigDecimal.ONE) >= 0 ? v.setScale(2, RoundingMode.HALF_UP) : v.stripTrailingZeros();
    return "$" + (s.scale() <= 0 ? s.setScale(0).toPlainString() : s.toPlainString());
  }

  private static String trim(BigDecimal v) {
    return v.stripTrailingZeros().toPlainString();
  }

  private static long tokens(DailyUsage u) {
    return u.tokens().input() + u.tokens().output() + u.tokens().cacheRead() + u.tokens().cacheWrite();
  }

  private static BigDecimal cost(DailyUsage u) {
    return u.costUsd() == null ? BigDecimal.ZERO : u.costUsd();
  }
}
