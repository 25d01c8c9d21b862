package io.opsagent.ui;

import static org.assertj.core.api.Assertions.assertThat;

import io.opsagent.agent.run.RunRepository.DailyUsage;
import io.opsagent.agent.run.TokenUsage;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The usage chart's axes: round numbers with their units, a label per day or every fifth, the range's days only. */
class UsageChartTest {
  private static final LocalDate TODAY = LocalDate.of(2026, 12, 6);

  @Test
  void aWeekHasABarAndADayLabelPerDayAndAxesInTokensAndDollarsUpToARoundNumber() {
    Views.Chart chart = UsageChart.of(List.of(day(TODAY, 1500, 350, "0.0123"),
        day(TODAY.minusDays(10), 90_000, 0, "5")), TODAY, 7);

    assertThat(chart.bars()).hasSize(7);
    assertThat(chart.tokenTicks()).extracting(Views.Tick::label).containsExactly("0", "500", "1k", "1.5k", "2k");
    assertThat(chart.costTicks()).extracting(Views.Tick::label)
        .containsExactly("$0", "$0.005", "$0.01", "$0.015", "$0.02");
    assertThat(chart.dayTicks()).extracting(Views.Tick::label)
        .containsExactly("11-30", "12-01", "12-02", "12-03", "12-04", "12-05", "12-06");
    assertThat(chart.totalTokens()).as("a day before the range does not count").isEqualTo(1850);
    assertThat(chart.totalCost()).isEqualTo("$0.0123");
    assertThat(chart.bars().get(6).label()).isEqualTo("2026-12-06: 1850 tokens, $0.0123, 3 runs");
    assertThat(chart.bars().get(6).y()).as("1850 of 2000 reaches near the top").isLessThan(chart.top() + 20);
  }

  @Test
  void thirtyDaysAreLabelledEveryFifthDayEndingToday() {
    Views.Chart chart = UsageChart.of(List.of(day(TODAY, 2_400_000, 100_000, "12.5")), TODAY, 30);

    assertThat(chart.bars()).hasSize(30);
    assertThat(chart.dayTicks()).extracting(Views.Tick::label)
        .containsExactly("11-11", "11-16", "11-21", "11-26", "12-01", "12-06");
    assertThat(chart.tokenTicks().get(4).label()).isEqualTo("5M");
    assertThat(chart.costTicks().get(4).label()).isEqualTo("$20.00");
    assertThat(chart.firstDay()).isEqualTo("2026-11-07");
  }

  @Test
  void oneDayIsOneBarWithItsCostDrawnAcrossThePlot() {
    Views.Chart chart = UsageChart.of(List.of(day(TODAY, 100, 0, "0.001")), TODAY, 1);

    assertThat(chart.bars()).hasSize(1);
    assertThat(chart.dayTicks()).extracting(Views.Tick::label).containsExactly("12-06");
    assertThat(chart.costPoints()).startsWith(chart.left() + ",").contains(" " + chart.right() + ",");
  }

  private static DailyUsage day(LocalDate day, long input, long output, String cost) {
    return new DailyUsage(day, 3, 0, 3, new TokenUsage(input, output, 0, 0), new BigDecimal(cost));
  }
}
