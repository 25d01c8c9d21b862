package io.opsagent.agent.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.opsagent.db.Times;
import io.opsagent.queue.schedule.Trigger;
import io.opsagent.support.Fixtures;
import io.opsagent.support.TestDatabase;
import java.time.Clock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class RunRepositoryTest {
  static TestDatabase db;
  static Fixtures fx;
  static RunRepository runs;

  @BeforeAll
  static void setUp() {
    db = TestDatabase.create(RunRepositoryTest.class);
    fx = new Fixtures(db.database());
    runs = new RunRepository(db.database().jdbi(), Clock.systemUTC());
  }

  @AfterAll
  static void tearDown() {
    db.close();
  }

  @Test
  void aRunIsRecordedRunningThenFinishedWithEverything() {
    String tenant = fx.tenant("t").id();
    OpsRun started = runs.start(tenant, Trigger.SCHEDULE);
    assertThat(runs.find(tenant, started.id()).orElseThrow().status()).isEqualTo(RunStatus.RUNNING);

    boolean finished = runs.finish(started.id(), new RunOutcome(RunStatus.COMPLETED, "all clear", "[{\"name\":\"recordAction\"}]", new TokenUsage(1200, 340, 0, 0), 2, "claude-x", null, null, null));

    OpsRun run = runs.find(tenant, started.id()).orElseThrow();
    assertThat(finished).isTrue();
    assertThat(run.status()).isEqualTo(RunStatus.COMPLETED);
    assertThat(run.summary()).isEqualTo("all clear");
    assertThat(run.actionsJson()).contains("recordAction");
    assertThat(run.inputTokens()).isEqualTo(1200);
    assertThat(run.outputTokens()).isEqualTo(340);
    assertThat(run.steps()).isEqualTo(2);
    assertThat(run.model()).isEqualTo("claude-x");
    assertThat(run.finishedAt()).isAfterOrEqualTo(run.startedAt());
  }

  @Test
  void aFinishedRunIsNeverOverwritten() {
    String tenant = fx.tenant("t").id();
    OpsRun started = runs.start(tenant, Trigger.MANUAL);
    runs.finish(started.id(), new RunOutcome(RunStatus.FAILED, null, "[]", new TokenUsage(0, 0, 0, 0), 0, null, null, null, "model unreachable"));

    assertThat(runs.finish(started.id(), new RunOutcome(RunStatus.COMPLETED, "late", "[]", new TokenUsage(0, 0, 0, 0), 0, null, null, null, null))).isFalse();
    assertThat(runs.find(tenant, started.id()).orElseThrow().error()).isEqualTo("model unreachable");
  }

  @Test
  void orphanedRunningRowsOfOneTenantAreFailedAndOthersUntouched() {
    String a = fx.tenant("a").id();
    String b = fx.tenant("b").id();
    OpsRun orphan = runs.start(a, Trigger.SCHEDULE);
    OpsRun othersRunning = runs.start(b, Trigger.SCHEDULE);

    assertThat(runs.failOrphaned(a, id -> "worker stopped mid-cycle")).isEqualTo(1);

    assertThat(runs.find(a, orphan.id()).orElseThrow())
        .satisfies(r -> assertThat(r.status()).isEqualTo(RunStatus.FAILED))
        .satisfies(r -> assertThat(r.error()).contains("worker stopped"));
    assertThat(runs.find(b, othersRunning.id()).orElseThrow().status()).isEqualTo(RunStatus.RUNNING);
  }

  @Test
  void runsAreListedNewestFirstAndOnlyForTheirTenant() {
    String a = fx.tenant("a").id();
    String b = fx.tenant("b").id();
    OpsRun first = runs.start(a, Trigger.SCHEDULE);
    org.awaitility.Awaitility.await().until(() -> io.opsagent.db.Times.current(Clock.systemUTC()).isAfter(first.startedAt()));
    OpsRun skipped = runs.skipped(a, Trigger.SCHEDULE, null, SkipReason.CIRCUIT_OPEN, "circuit breaker open");
    runs.start(b, Trigger.SCHEDULE);

    assertThat(runs.recent(a, 10)).extracting(OpsRun::id).containsExactly(skipped.id(), first.id());
    assertThat(runs.find(b, first.id())).isEmpty();
  }

  @Test
  void theEventWindowStartsAtTheLastCompletedReviewNotAtALaterFailedOrSkippedRun() {
    String a = fx.tenant("window").id();
    assertThat(runs.lastReviewStart(a)).isEmpty();
    OpsRun reviewed = runs.start(a, Trigger.SCHEDULE);
    runs.finish(reviewed.id(), RunOutcome.completed("all clear"));
    org.awaitility.Awaitility.await().until(() -> io.opsagent.db.Times.current(Clock.systemUTC()).isAfter(reviewed.startedAt()));
    OpsRun failed = runs.start(a, Trigger.SCHEDULE);
    runs.finish(failed.id(), RunOutcome.failed("model unreachable"));
    runs.skipped(a, Trigger.SCHEDULE, null, SkipReason.UNCHANGED, "unchanged");
    runs.start(a, Trigger.EVENT);

    assertThat(runs.lastReviewStart(a)).contains(reviewed.startedAt());
  }
}
