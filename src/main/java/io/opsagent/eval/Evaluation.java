package io.opsagent.eval;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The harness's entry point: runs every case through an {@link EvalRig}, one after the other, and
 * scores it. A case whose cycle throws fails with the exception as its reason; it never stops the run.
 */
public final class Evaluation {
  private Evaluation() {}

  public static EvalReport run(EvalRig rig, List<EvalCase> cases, Consumer<CaseResult> progress) {
    List<CaseResult> results = new ArrayList<>();
    for (EvalCase c : cases) {
      CaseResult r;
      try {
        r = Verdict.of(c, rig.run(c));
      } catch (RuntimeException e) {
        r = new CaseResult(c.name(), c.kind(), CaseResult.FAIL, List.of("the cycle threw " + e),
            c.expect().page(), false, c.expect().severity(), null, c.expect().action(), List.of(), List.of(),
            false, null, 0, 0, null, 0, null);
      }
      results.add(r);
      progress.accept(r);
    }
    return new EvalReport(rig.decider(), rig.clock().instant(), results);
  }
}
