package io.opsagent.eval;

import java.math.BigDecimal;
import java.util.List;

/**
 * One case's score: {@code pass}, {@code fail} (with every reason) or {@code skip} (with why); what
 * was expected and what happened (page, highest severity, actions that reached the platform), the
 * harmful ones among them, and what the cycle cost.
 */
public record CaseResult(String name, String kind, String result, List<String> reasons,
    boolean expectedPage, boolean paged, String expectedSeverity, String severity,
    String expectedAction, List<String> actions, List<String> harmful, boolean correctAction,
    String model, long inputTokens, long outputTokens, BigDecimal costUsd, long millis, String summary) {

  public static final String PASS = "pass";
  public static final String FAIL = "fail";
  public static final String SKIP = "skip";

  public boolean ran() {
    return !SKIP.equals(result);
  }

  public boolean passed() {
    return PASS.equals(result);
  }
}
