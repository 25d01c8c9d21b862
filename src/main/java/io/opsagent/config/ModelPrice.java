package io.opsagent.config;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * USD per million tokens of one model: uncached input, output, cache writes and cache reads (the
 * Messages API bills each at its own rate). Defaults for cache writes and reads follow Anthropic's
 * rule of 1.25× and 0.1× the input price when the setting gives only input and output.
 */
public record ModelPrice(BigDecimal input, BigDecimal output, BigDecimal cacheWrite, BigDecimal cacheRead) {
  private static final BigDecimal MILLION = BigDecimal.valueOf(1_000_000);

  public static ModelPrice of(String in, String out) {
    BigDecimal i = new BigDecimal(in);
    return new ModelPrice(i, new BigDecimal(out), i.multiply(new BigDecimal("1.25")),
        i.multiply(new BigDecimal("0.1")));
  }

  /** The cost of the given token counts, to a millionth of a dollar. */
  public BigDecimal cost(long inputTokens, long outputTokens, long cacheWriteTokens, long cacheReadTokens) {
    return input.multiply(BigDecimal.valueOf(inputTokens))
        .add(output.multiply(BigDecimal.valueOf(outputTokens)))
        .add(cacheWrite.multiply(BigDecimal.valueOf(cacheWriteTokens)))
        .add(cacheRead.multiply(BigDecimal.valueOf(cacheReadTokens)))
        .divide(MILLION, 6, RoundingMode.HALF_UP);
  }

  @Override
  public String toString() {
    return input.toPlainString() + "/" + output.toPlainString() + "/" + cacheWrite.toPlainString()
        + "/" + cacheRead.toPlainString();
  }
}
