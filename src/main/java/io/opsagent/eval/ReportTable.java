package io.opsagent.eval;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintStream;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/** The terminal view of an {@link EvalReport}: one line per case, the totals, and a comparison. */
public final class ReportTable {
  private ReportTable() {}

  public static void print(EvalReport r, PrintStream out) {
    out.printf("%-46s %-4s %-9s %-22s %-22s %7s %6s  %s%n", "case", "", "page", "action (expected)",
        "action (taken)", "tokens", "ms", "why");
    for (CaseResult c : r.cases()) {
      String page = c.ran() ? (c.expectedPage() ? "yes" : "no") + "/" + (c.paged() ? "yes" : "no") : "";
      out.printf("%-46s %-4s %-9s %-22s %-22s %7s %6s  %s%n", cut(c.name(), 46), c.result().toUpperCase(Locale.ROOT),
          page, cut(c.expectedAction(), 22), cut(c.actions().isEmpty() ? (c.ran() ? "none" : "") : String.join(",", c.actions()), 22),
          c.ran() ? c.inputTokens() + c.outputTokens() : "", c.ran() ? c.millis() : "", String.join("; ", c.reasons()));
    }
    out.println();
    out.printf("decided by %s: %d cases, %d passed, %d failed, %d skipped (pass rate %s)%n", r.decider(),
        r.cases().size(), r.passed(), r.failed(), r.skipped(), pct(r.passRate()));
    out.printf("page precision %s, page recall %s, correct action %s, HARMFUL ACTIONS %d%n",
        pct(r.pagePrecision()), pct(r.pageRecall()), pct(r.correctActionRate()), r.harmfulActions());
    out.printf("tokens in/out %d/%d, cost %s, latency per case mean %d ms, max %d ms%n", r.inputTokens(),
        r.outputTokens(), r.costUsd() == null ? "unknown (no price for the model)" : "$" + r.costUsd().toPlainString(),
        r.meanMillis(), r.maxMillis());
  }

  /** What got better or worse against an earlier report: per case, then the totals. */
  public static void compare(EvalReport now, JsonNode old, PrintStream out) {
    Map<String, String> before = new HashMap<>();
    for (JsonNode c : old.path("cases")) {
      before.put(c.path("name").asText(), c.path("result").asText());
    }
    out.println();
    out.println("compared with the report of " + old.path("decider").asText("?") + " at "
        + old.path("finishedAt").asText("?") + ":");
    int changes = 0;
    for (CaseResult c : now.cases()) {
      String was = before.remove(c.name());
      String verdict = was == null ? "new" : was.equals(c.result()) ? null
          : c.passed() ? "better" : was.equals(CaseResult.PASS) ? "worse" : "changed";
      if (verdict != null) {
        out.printf("  %-7s %-46s %s -> %s%n", verdict, c.name(), was == null ? "-" : was, c.result());
        changes++;
      }
    }
    for (String gone : before.keySet().stream().sorted().toList()) {
      out.printf("  %-7s %-46s %s -> -%n", "gone", gone, before.get(gone));
      changes++;
    }
    if (changes == 0) {
      out.println("  no case changed its result");
    }
    JsonNode t = old.path("totals");
    line(out, "pass rate", t.path("passRate"), now.passRate(), true);
    line(out, "page precision", t.path("pagePrecision"), now.pagePrecision(), true);
    line(out, "page recall", t.path("pageRecall"), now.pageRecall(), true);
    line(out, "correct action", t.path("correctActionRate"), now.correctActionRate(), true);
    long harmBefore = t.path("harmfulActions").asLong();
    out.printf("  %-15s %d -> %d%s%n", "harmful", harmBefore, now.harmfulActions(),
        now.harmfulActions() > harmBefore ? "  (worse)" : now.harmfulActions() < harmBefore ? "  (better)" : "");
  }

  private static void line(PrintStream out, String what, JsonNode before, Double now, boolean higherIsBetter) {
    Double was = before.isNumber() ? before.asDouble() : null;
    // reports keep rates to four decimals: compare at that precision
    String trend = was == null || now == null || EvalReport.round(was) == EvalReport.round(now) ? ""
        : (now > was) == higherIsBetter ? "  (better)" : "  (worse)";
    out.printf("  %-15s %s -> %s%s%n", what, pct(was), pct(now), trend);
  }

  private static String pct(Double v) {
    return v == null ? "n/a" : String.format(Locale.ROOT, "%.1f%%", v * 100);
  }

  private static String cut(String s, int n) {
    return s.length() <= n ? s : s.substring(0, n - 1) + "…";
  }
}
