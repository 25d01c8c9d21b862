package io.opsagent.worker;

import io.opsagent.notify.TestReceiver;
import io.opsagent.support.FakeMessagesApi;
import io.opsagent.support.TestDatabase;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link KilledMidCycleTest}'s scenario with the default settings (8 s heartbeat, 2 s poll): how long
 * after a SIGKILL of the worker reviewing a FAILED report the survivor starts the retried cycle, and
 * pages. The bound from db-scheduler's rule is 8 s × 6 + 2 s = 50 s to the start; each sample also
 * asserts the page within 60 s of the kill.
 *
 * <p>Run: {@code mvn -B -q test -Pbenchmark -Dtest=KilledMidCycleBenchmark}
 */
@Tag("benchmark")
class KilledMidCycleBenchmark {
  private static final int SAMPLES = 3;

  @TempDir
  Path dir;

  @Test
  void withTheDefaultsTheKilledWorkersCycleRunsElsewhereAndPagesWithinAMinute() throws Exception {
    List<KilledMidCycleTest.Takeover> samples = new ArrayList<>();
    try (TestDatabase db = TestDatabase.create(KilledMidCycleBenchmark.class);
        FakeMessagesApi model = FakeMessagesApi.start();
        TestReceiver receiver = TestReceiver.answering()) {
      SreScript script = SreScript.on(model);
      for (int i = 0; i < SAMPLES; i++) {
        WorkerEnv env = new WorkerEnv(db, model, "PT1H").with("OPSAGENT_POLL_INTERVAL", "PT2S");
        env.env.remove("OPSAGENT_HEARTBEAT_INTERVAL");
        KilledMidCycleTest.Takeover t = KilledMidCycleTest.killMidCycle(dir, db, model, script, receiver,
            env, "killed-" + i);
        samples.add(t);
        System.out.printf("%nSIGKILL mid-cycle, defaults (heartbeat 8 s, poll 2 s), sample %d: retried cycle"
            + " started %d ms, its review alerted %d ms after the kill%n", i + 1, t.retryStarted().toMillis(), t.page().toMillis());
      }
    }
    System.out.printf("%nSIGKILL mid-cycle, defaults: retry started %s ms; its review alerted %s ms after the kill (n=%d)%n",
        samples.stream().map(t -> Long.toString(t.retryStarted().toMillis())).toList(),
        samples.stream().map(t -> Long.toString(t.page().toMillis())).toList(), samples.size());
  }
}
