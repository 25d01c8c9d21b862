package io.opsagent.agent.run;

/**
 * Tokens of one or more model calls, as the Messages API reports them: {@code input} is the
 * uncached prompt, {@code cacheWrite} and {@code cacheRead} the prompt tokens written to and read
 * from the prompt cache, {@code output} what the model wrote.
 */
public record TokenUsage(long input, long output, long cacheRead, long cacheWrite) {
  public static final TokenUsage NONE = new TokenUsage(0, 0, 0, 0);

  public TokenUsage plus(TokenUsage o) {
    return new TokenUsage(input + o.input, output + o.output, cacheRead + o.cacheRead,
        cacheWrite + o.cacheWrite);
  }

  /** Every prompt token processed, cached or not. */
  public long promptTokens() {
    return input + cacheRead + cacheWrite;
  }
}
