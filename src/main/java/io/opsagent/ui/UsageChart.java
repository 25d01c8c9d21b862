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
 * Lays out a tenant's last {@value #DAYS} days of {@code ops_usage_daily} as an inline SVG: one bar
 * of tokens (input + output + cache) per day, and the day's cost as a line over the bars. Days
 * without a row are zero. No chart library: the numbers become rectangles and a polyline here.
 */
final class UsageChart {
  static final int DAYS = 30;
  private static final int WIDTH = 720;
  private static final int HEIGHT = 120;
  private static final int PAD = 4;

  private UsageChart() {}

  static Views.Chart of(List<DailyUsage> usage, LocalDate today) {
    Map<LocalDate, DailyUsage> byDay = usage.stream()
        .collect(Collectors.toMap(DailyUsage::day, Function.identity(), (a, b) -> a));
    long maxTokens = 1;
    BigDecimal maxCost = BigDecimal.ZERO;
    long totalTokens = 0;
    BigDecimal totalCost = BigDecimal.ZERO;
    for (DailyUsage u : usage) {
      long t = tokens(u);
      maxTokens = Math.max(maxTokens, t);
      maxCost = maxCost.max(cost(u));
      totalTokens += t;
      totalCost = totalCost.add(cost(u));
    }
    int slot = (WIDTH - 2 * PAD) / DAYS;
    int plot = HEIGHT - 2 * PAD;
    List<Views.Bar> bars = new ArrayList<>();
    StringBuilder points = new StringBuilder();
    for (int i = 0; i < DAYS; i++) {
      LocalDate day = today.minusDays(DAYS - 1L - i);
      DailyUsage u = byDay.get(day);
      long t = u == null ? 0 : tokens(u);
      BigDecimal c = u == null ? BigDecimal.ZERO : cost(u);
      int h = (int) Math.round((double) t / maxTokens * plot);
      int x = PAD + i * slot;
      bars.add(new Views.Bar(x + 1, HEIGHT - PAD - h, slot - 2, h,
          day + ": " + t + " tokens, " + Format.usd(c) + ", " + (u == null ? 0 : u.runs()) + " runs"));
      int cy = maxCost.signum() == 0 ? HEIGHT - PAD
          : HEIGHT - PAD - c.multiply(BigDecimal.valueOf(plot)).divide(maxCost, 0, RoundingMode.HALF_UP).intValue();
      points.append(i == 0 ? "" : " ").append(x + slot / 2).append(',').append(cy);
    }
    return new Views.Chart(WIDTH, HEIGHT, bars, points.toString(), Long.toString(maxTokens == 1 ? 0 : maxTokens),
        Format.usd(maxCost), today.minusDays(DAYS - 1L).toString(), today.toString(), totalTokens,
        Format.usd(totalCost));
  }

  private static long tokens(DailyUsage u) {
    return u.tokens().input() + u.tokens().output() + u.tokens().cacheRead() + u.tokens().cacheWrite();
  }

  private static BigDecimal cost(DailyUsage u) {
    return u.costUsd() == null ? BigDecimal.ZERO : u.costUsd();
  }
}
