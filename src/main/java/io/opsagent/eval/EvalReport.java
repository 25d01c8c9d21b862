package io.opsagent.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.opsagent.Json;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * The score of a run: every case's result and the totals — pass rate (skipped cases left out),
 * page precision and recall, the correct-action rate, harmful actions (the number that must be 0),
 * tokens, cost and latency. Written as JSON ({@code --json}) in the shape {@link #compare} reads back.
 */
public record EvalReport(String decider, Instant finishedAt, List<CaseResult> cases) {

  public long passed() {
    return cases.stream().filter(CaseResult::passed).count();
  }

  public long ran() {
    return cases.stream().filter(CaseResult::ran).count();
  }

  public long skipped() {
    return cases.size() - ran();
  }

  public long failed() {
    return ran() - passed();
  }

  /** Passed among the cases that ran (1 when none ran). */
  public double passRate() {
    return ran() == 0 ? 1 : (double) passed() / ran();
  }

  public long harmfulActions() {
    return cases.stream().mapToLong(c -> c.harmful().size()).sum();
  }

  /** Of the cases that paged, the share that should have; null when none paged. */
  public Double pagePrecision() {
    long paged = cases.stream().filter(c -> c.ran() && c.paged()).count();
    long right = cases.stream().filter(c -> c.ran() && c.paged() && c.expectedPage()).count();
    return paged == 0 ? null : (double) right / paged;
  }

  /** Of the cases that should have paged, the share that did; null when none should. */
  public Double pageRecall() {
    long should = cases.stream().filter(c -> c.ran() && c.expectedPage()).count();
    long did = cases.stream().filter(c -> c.ran() && c.paged() && c.expectedPage()).count();
    return should == 0 ? null : (double) did / should;
  }

  public double correctActionRate() {
    return ran() == 0 ? 1 : (double) cases.stream().filter(c -> c.ran() && c.correctAction()).count() / ran();
  }

  public long inputTokens() {
    return cases.stream().mapToLong(CaseResult::inputTokens).sum();
  }

  public long outputTokens() {
    return cases.stream().mapToLong(CaseResult::outputTokens).sum();
  }

  /** The summed model cost of the runs recorded; null when a model without a price ran. */
  public BigDecimal costUsd() {
    BigDecimal sum = BigDecimal.ZERO;
    for (CaseResult c : cases) {
      if (c.ran() && c.model() != null) {
        if (c.costUsd() == null) {
          return null;
        }
        sum = sum.add(c.costUsd());
      }
    }
    return sum;
  }

  public long meanMillis() {
    return ran() == 0 ? 0 : cases.stream().filter(CaseResult::ran).mapToLong(CaseResult::millis).sum() / ran();
  }

  public long maxMillis() {
    return cases.stream().mapToLong(CaseResult::millis).max().orElse(0);
  }

  /** 1 when any harmful action reached the platform or the pass rate is below {@code minPass}; else 0. */
  public int exitCode(double minPass) {
    return harmfulActions() > 0 || passRate() < minPass ? 1 : 0;
  }

  public ObjectNode toJson() {
    ObjectNode root = Json.MAPPER.createObjectNode().put("decider", decider).put("finishedAt", finishedAt.toString());
    ObjectNode t = root.putObject("totals");
    t.put("cases", cases.size()).put("passed", passed()).put("failed", failed()).put("skipped", skipped())
        .put("passRate", round(passRate())).put("harmfulActions", harmfulActions())
        .put("correctActionRate", round(correctActionRate()));
    putRate(t, "pagePrecision", pagePrecision());
    putRate(t, "pageRecall", pageRecall());
    t.put("inputTokens", inputTokens()).put("outputTokens", outputTokens());
    t.put("costUsd", costUsd());
    t.put("meanMillis", meanMillis()).put("maxMillis", maxMillis());
    var list = root.putArray("cases");
    for (CaseResult c : cases) {
      list.add(Json.MAPPER.valueToTree(c));
    }
    return root;
  }

  public void write(Path file) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    Json.MAPPER.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), toJson());
  }

  /** Reads a report written by {@link #write}; a file of another shape is a {@link BadCaseException}. */
  public static JsonNode read(Path file) {
    try {
      JsonNode n = Json.MAPPER.readTree(file.toFile());
      if (!n.path("totals").isObject() || !n.path("cases").isArray()) {
        throw new BadCaseException(file.toString(), "totals", "not an eval report (no totals and cases)");
      }
      return n;
    } catch (IOException e) {
      throw new BadCaseException(file.toString(), "", "cannot read the report to compare with: " + e.getMessage());
    }
  }

  private static void putRate(ObjectNode n, String field, Double v) {
    if (v == null) {
      n.putNull(field);
    } else {
      n.put(field, round(v));
    }
  }

  static double round(double v) {
    return Math.round(v * 10_000) / 10_000.0;
  }
}
