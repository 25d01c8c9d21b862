package io.opsagent.agent.guard;

import static org.assertj.core.api.Assertions.assertThat;

import io.opsagent.agent.guard.CircuitBreaker.Decision;
import io.opsagent.agent.run.OpsRun;
import io.opsagent.agent.run.RunOutcome;
import io.opsagent.agent.run.RunRepository;
import io.opsagent.agent.run.RunStatus;
import io.opsagent.agent.run.SkipReason;
import io.opsagent.agent.run.TokenUsage;
import io.opsagent.db.Database;
import io.opsagent.platform.TenantRepository;
import io.opsagent.queue.schedule.Trigger;
import io.opsagent.support.SettableClock;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The circuit breaker's behaviour, run against each database opsagent supports. */
abstract class CircuitBreakerContract {
  static final Duration PAUSE = Duration.ofMinutes(30);

  final SettableClock clock = SettableClock.startingNow();
  RunRepository runs;
  CircuitBreaker breaker;
  String tenant;
  Instant lastStart = Instant.EPOCH;

  abstract Database database();

  @BeforeEach
  void setUp() {
    runs = new RunRepository(database().jdbi(), clock); // one clock, as in the worker
    breaker = new CircuitBreaker(database().jdbi(), PAUSE, clock);
    tenant = newTenant();
  }

  @Test
  void aNewTenantsBreakerIsClosedAndRunsNormally() {
    assertThat(breaker.checkCircuitBreaker(tenant)).isFalse();
    assertThat(breaker.allowProbe(tenant)).isFalse();
    assertThat(breaker.beforeCycle(tenant, Trigger.SCHEDULE)).isEqualTo(new Decision.Run());
  }

  @Test
  void threeFailedRunsInARowOpenTheBreaker() {
    fail(tenant);
    fail(tenant);
    assertThat(breaker.checkCircuitBreaker(tenant)).isFalse();

    fail(tenant);

    assertThat(breaker.checkCircuitBreaker(tenant)).isTrue();
  }

  @Test
  void aCompletedRunAmongTheLastThreeKeepsItClosed() {
    fail(tenant);
    fail(tenant);
    complete(tenant);
    fail(tenant);
    fail(tenant);
    assertThat(breaker.checkCircuitBreaker(tenant)).isFalse();

    fail(tenant);

    assertThat(breaker.checkCircuitBreaker(tenant)).isTrue();
  }

  @Test
  void skippedRunsNeitherCloseItNorBreakTheStreak() {
    fail(tenant);
    skip(tenant);
    fail(tenant);
    skip(tenant);
    fail(tenant);
    assertThat(breaker.checkCircuitBreaker(tenant)).isTrue();

    skip(tenant);
    skip(tenant);
    skip(tenant);

    assertThat(breaker.checkCircuitBreaker(tenant)).isTrue();
  }

  @Test
  void aRunStillRunningIsNotCounted() {
    fail(tenant);
    fail(tenant);
    awaitNextMillisecond();
    runs.start(tenant, Trigger.SCHEDULE);

    assertThat(breaker.checkCircuitBreaker(tenant)).isFalse();
  }

  @Test
  void oneTenantsFailuresDoNotOpenAnothersBreaker() {
    String other = newTenant();
    openBreaker(tenant);

    assertThat(breaker.checkCircuitBreaker(other)).isFalse();
  }

  @Test
  void scheduledCyclesAreSkippedUntilThePauseHasPassedThenOneProbes() {
    openBreaker(tenant);
    Instant openedAt = clock.instant();

    clock.set(openedAt.plus(PAUSE).minusSeconds(60));
    assertThat(breaker.allowProbe(tenant)).isFalse();
    assertThat(breaker.beforeCycle(tenant, Trigger.SCHEDULE)).isInstanceOfSatisfying(Decision.Skip.class,
        skip -> assertThat(skip.reason()).contains("last 3 runs failed", "boom"));
    assertThat(breaker.beforeCycle(tenant, Trigger.EVENT)).isInstanceOf(Decision.Skip.class);

    clock.set(openedAt.plus(PAUSE).plusSeconds(1));
    assertThat(breaker.allowProbe(tenant)).isTrue();
    assertThat(breaker.beforeCycle(tenant, Trigger.SCHEDULE)).isInstanceOf(Decision.Probe.class);
  }

  @Test
  void aManualTriggerAlwaysProbesAnOpenBreaker() {
    assertThat(breaker.beforeCycle(tenant, Trigger.MANUAL)).isEqualTo(new Decision.Run());

    openBreaker(tenant);

    assertThat(breaker.allowProbe(tenant)).isFalse();
    assertThat(breaker.beforeCycle(tenant, Trigger.MANUAL)).isInstanceOf(Decision.Probe.class);
  }

  @Test
  void aFailedProbeStartsTheNextPause() {
    openBreaker(tenant);
    backdateRuns(tenant, PAUSE.multipliedBy(2));
    clock.set(clock.instant());
    assertThat(breaker.allowProbe(tenant)).isTrue();

    fail(tenant);

    assertThat(breaker.checkCircuitBreaker(tenant)).isTrue();
    assertThat(breaker.allowProbe(tenant)).isFalse();
    clock.set(clock.instant().plus(PAUSE).plusSeconds(1));
    assertThat(breaker.allowProbe(tenant)).isTrue();
  }

  @Test
  void aSuccessfulProbeFollowedByAResetClosesIt() {
    openBreaker(tenant);

    complete(tenant);
    breaker.resetCircuitBreaker(tenant);

    assertThat(breaker.checkCircuitBreaker(tenant)).isFalse();
    assertThat(breaker.beforeCycle(tenant, Trigger.SCHEDULE)).isEqualTo(new Decision.Run());
  }

  @Test
  void aResetClosesItEvenWithoutANewRunUntilThreeMoreFailures() {
    openBreaker(tenant);

    breaker.resetCircuitBreaker(tenant);
    assertThat(breaker.checkCircuitBreaker(tenant)).isFalse();
    breaker.resetCircuitBreaker(tenant);
    fail(tenant);
    fail(tenant);
    assertThat(breaker.checkCircuitBreaker(tenant)).isFalse();

    fail(tenant);
    assertThat(breaker.checkCircuitBreaker(tenant)).isTrue();
  }

  @Test
  void aClosedBreakerIsNeverAnnounced() {
    fail(tenant);
    fail(tenant);

    assertThat(breaker.markOpenedAndShouldAlert(tenant)).isFalse();
  }

  @Test
  void theOpeningIsAnnouncedOnceNotOncePerSkippedCycleNorAfterARestart() {
    openBreaker(tenant);

    assertThat(breaker.markOpenedAndShouldAlert(tenant)).isTrue();
    skip(tenant);
    assertThat(breaker.markOpenedAndShouldAlert(tenant)).isFalse();
    fail(tenant);
    assertThat(breaker.markOpenedAndShouldAlert(tenant)).isFalse();

    CircuitBreaker afterRestart = new CircuitBreaker(database().jdbi(), PAUSE, clock);
    assertThat(afterRestart.markOpenedAndShouldAlert(tenant)).isFalse();
  }

  @Test
  void processesAnnouncingTheSameOpeningAtOnceAlertExactlyOnce() throws Exception {
    openBreaker(tenant);
    assertThat(announceConcurrently(tenant)).containsOnlyOnce(true);

    breaker.resetCircuitBreaker(tenant);
    openBreaker(tenant);
    assertThat(announceConcurrently(tenant)).containsOnlyOnce(true);
  }

  @Test
  void afterAResetTheNextOpeningIsAnnouncedAgain() {
    openBreaker(tenant);
    assertThat(breaker.markOpenedAndShouldAlert(tenant)).isTrue();

    breaker.resetCircuitBreaker(tenant);
    openBreaker(tenant);

    assertThat(breaker.markOpenedAndShouldAlert(tenant)).isTrue();
  }

  @Test
  void anOpeningAfterASuccessIsAnnouncedEvenIfNobodyReset() {
    openBreaker(tenant);
    assertThat(breaker.markOpenedAndShouldAlert(tenant)).isTrue();

    complete(tenant);
    openBreaker(tenant);

    assertThat(breaker.markOpenedAndShouldAlert(tenant)).isTrue();
  }

  private List<Boolean> announceConcurrently(String tenantId) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<Boolean>> calls = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        CircuitBreaker process = new CircuitBreaker(database().jdbi(), PAUSE, clock);
        calls.add(pool.submit(() -> {
          start.await();
          return process.markOpenedAndShouldAlert(tenantId);
        }));
      }
      start.countDown();
      List<Boolean> results = new ArrayList<>();
      for (Future<Boolean> call : calls) {
        results.add(call.get());
      }
      return results;
    } finally {
      pool.shutdownNow();
    }
  }

  private String newTenant() {
    return new TenantRepository(database().jdbi(), Clock.systemUTC()).create("t").id();
  }

  private void openBreaker(String tenantId) {
    fail(tenantId);
    fail(tenantId);
    fail(tenantId);
    assertThat(breaker.checkCircuitBreaker(tenantId)).isTrue();
  }

  private void fail(String tenantId) {
    finish(tenantId, RunStatus.FAILED, "boom: model provider returned 529");
  }

  private void complete(String tenantId) {
    finish(tenantId, RunStatus.COMPLETED, null);
  }

  private void skip(String tenantId) {
    awaitNextMillisecond();
    lastStart = runs.skipped(tenantId, Trigger.SCHEDULE, null, SkipReason.CIRCUIT_OPEN, "paused").startedAt();
  }

  private void finish(String tenantId, RunStatus status, String error) {
    awaitNextMillisecond();
    OpsRun run = runs.start(tenantId, Trigger.SCHEDULE);
    lastStart = run.startedAt();
    assertThat(runs.finish(run.id(), new RunOutcome(status, "cycle", "[]", new TokenUsage(0, 0, 0, 0), 1, null, null, null, error))).isTrue();
  }

  /** Moves the tenant's runs into the past, as if they had happened {@code by} earlier. */
  private void backdateRuns(String tenantId, Duration by) {
    database().jdbi().useHandle(h -> {
      for (OpsRun run : runs.recent(tenantId, 100)) {
        h.createUpdate("""
                UPDATE ops_agent_runs SET started_at = :startedAt, finished_at = :finishedAt
                WHERE id = :id""")
            .bind("id", run.id())
            .bind("startedAt", run.startedAt().minus(by))
            .bind("finishedAt", run.finishedAt() == null ? null : run.finishedAt().minus(by))
            .execute();
      }
    });
  }

  /** Runs are ordered by start time at millisecond precision: give each its own millisecond. */
  /** The next run starts in a later millisecond than anything recorded so far (a reset included). */
  private void awaitNextMillisecond() {
    clock.advance(Duration.ofMillis(1));
  }
}
