package io.opsagent.queue.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.opsagent.agent.run.RunRepository;
import io.opsagent.config.Config;
import io.opsagent.platform.DeploymentStatus;
import io.opsagent.queue.Queues;
import io.opsagent.support.Fixtures;
import io.opsagent.support.TestDatabase;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class OpsSchedulerTest {
  static final Config CONFIG = Config.fromEnv(Map.of(
      "OPSAGENT_CYCLE_INTERVAL", "PT1S",
      "OPSAGENT_POLL_INTERVAL", "PT0.1S",
      "OPSAGENT_HEARTBEAT_INTERVAL", "PT0.5S",
      "OPSAGENT_OPS_CONCURRENCY", "2"));
  static TestDatabase db;
  static Fixtures fx;
  static RunRepository runs;

  RecordingRunner runner = new RecordingRunner();
  OpsScheduler scheduler;
  Queues queues;

  @BeforeAll
  static void createDatabase() {
    db = TestDatabase.create(OpsSchedulerTest.class);
    fx = new Fixtures(db.database());
    runs = new RunRepository(db.database().jdbi(), Clock.systemUTC());
  }

  @AfterAll
  static void dropDatabase() {
    db.close();
  }

  @BeforeEach
  void newScheduler() {
    scheduler = new OpsScheduler(db.database(), CONFIG.scheduling(), new io.opsagent.platform.TenantRepository(db.database().jdbi(), Clock.systemUTC()), runner, new io.opsagent.queue.Wakeup(db.database()), Clock.systemUTC());
  }

  @AfterEach
  void stopQueuesAndForgetSchedules() {
    if (queues != null) {
      queues.stop();
    }
    db.database().jdbi().useHandle(h -> h.execute("DELETE FROM ops_agent_tasks"));
  }

  void startQueues() {
    queues = new Queues(db.database(), CONFIG.scheduling(), CONFIG.llm(), CONFIG.actions(), scheduler.task(), job -> {}, Clock.systemUTC());
    queues.start();
  }

  static String aTenant() {
    return fx.tenant("acme").id();
  }

  static int rowsOf(String tenantId) {
    return db.database().jdbi().withHandle(h -> h.createQuery(
            "SELECT COUNT(*) FROM ops_agent_tasks WHERE task_instance = :t")
        .bind("t", tenantId).mapTo(Integer.class).one());
  }

  @Test
  void ensuringTwiceLeavesExactlyOneSchedule() {
    String t = aTenant();

    assertThat(scheduler.ensureOpsSchedule(t)).isTrue();
    assertThat(scheduler.ensureOpsSchedule(t)).isTrue();

    assertThat(rowsOf(t)).isEqualTo(1);
    assertThat(scheduler.isOpsEnabled(t)).isTrue();
    OpsSchedule schedule = scheduler.schedule(t);
    assertThat(schedule.enabled()).isTrue();
    assertThat(schedule.interval()).isEqualTo(Duration.ofSeconds(1));
    assertThat(schedule.nextRunAt()).isAfter(Instant.now().minusSeconds(1));
  }

  @Test
  void cyclesFollowTheIntervalNeverTwiceInOneSlot() {
    String t = aTenant();
    scheduler.ensureOpsSchedule(t);
    startQueues();

    await().atMost(Duration.ofSeconds(20)).until(() -> runner.count(t) >= 4);

    long period = CONFIG.scheduling().cycleInterval().toMillis();
    long offset = ScheduleSlots.offset(t, period);
    List<Long> slots = runner.of(t).stream()
        .map(c -> Math.floorDiv(c.startedAt().toEpochMilli() - offset, period))
        .toList();
    assertThat(slots).isSorted().doesNotHaveDuplicates();
    assertThat(runner.of(t)).extracting(RecordingRunner.Cycle::trigger).containsOnly(Trigger.SCHEDULE);
  }

  @Test
  void aRemovedScheduleRunsNoMoreCycles() {
    String t = aTenant();
    scheduler.ensureOpsSchedule(t);
    startQueues();
    await().atMost(Duration.ofSeconds(10)).until(() -> runner.count(t) >= 1);

    scheduler.removeOpsSchedule(t);
    await().atMost(Duration.ofSeconds(5)).until(() -> rowsOf(t) == 0);
    int cycles = runner.count(t);

    await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).until(() -> runner.count(t) == cycles);
    assertThat(scheduler.isOpsEnabled(t)).isFalse();
  }

  @Test
  void removingWhileACycleRunsLetsItFinishAndStartsNoOther() throws Exception {
    String t = aTenant();
    scheduler.ensureOpsSchedule(t);
    RecordingRunner.Gate gate = runner.hold(t);
    startQueues();
    scheduler.runNow(t, Trigger.MANUAL);
    assertThat(gate.entered.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();

    scheduler.removeOpsSchedule(t);
    gate.release();

    await().atMost(Duration.ofSeconds(5)).until(() -> rowsOf(t) == 0);
    await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).until(() -> runner.count(t) == 1);
  }

  @Test
  void triggersWhileTheTenantsCycleRunsCollapseIntoOnePendingCycleThatRunsRightAfterIt() throws Exception {
    String t = aTenant();
    scheduler.ensureOpsSchedule(t);
    RecordingRunner.Gate gate = runner.hold(t);
    startQueues();
    OpsScheduler.QueuedCycle first = scheduler.runNow(t, Trigger.MANUAL);
    assertThat(gate.entered.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();

    OpsScheduler.QueuedCycle second = scheduler.runNow(t, Trigger.EVENT);
    OpsScheduler.QueuedCycle third = scheduler.runNow(t, Trigger.MANUAL);
    assertThat(first.pending()).isFalse();
    assertThat(second.pending()).isTrue();
    assertThat(second.joined()).as("the first request during the cycle made it pending").isFalse();
    assertThat(third.runId()).as("joins the pending cycle").isEqualTo(second.runId());
    assertThat(third.pending()).isTrue();
    assertThat(third.joined()).isTrue();
    assertThat(runner.of(t)).extracting(RecordingRunner.Cycle::runId).containsExactly(first.runId());
    gate.release();

    await().atMost(Duration.ofSeconds(10)).until(() -> runner.count(t) >= 2);
    assertThat(runner.of(t).get(1).trigger()).isEqualTo(Trigger.EVENT);
    assertThat(runner.of(t).get(1).runId()).isEqualTo(second.runId());
    assertThat(rowsOf(t)).isEqualTo(1);
    // then back on the schedule: one row, recurring, and never two cycles at once
    await().atMost(Duration.ofSeconds(10)).until(() -> runner.count(t) >= 3);
    assertThat(runner.of(t).get(2).trigger()).isEqualTo(Trigger.SCHEDULE);
    assertThat(runner.maxConcurrentPerTenant()).isEqualTo(1);
  }

  @Test
  void aTenantSwitchedOffWhileItsCycleRunsShowsNoNextRun() throws Exception {
    String t = aTenant();
    scheduler.ensureOpsSchedule(t);
    RecordingRunner.Gate gate = runner.hold(t);
    startQueues();
    scheduler.runNow(t, Trigger.MANUAL);
    assertThat(gate.entered.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();

    scheduler.disable(t);

    assertThat(scheduler.schedule(t).enabled()).isFalse();
    assertThat(scheduler.schedule(t).nextRunAt()).as("no next run while the last one finishes").isNull();
    gate.release();
    await().atMost(Duration.ofSeconds(10)).until(() -> rowsOf(t) == 0);
    assertThat(scheduler.schedule(t).nextRunAt()).isNull();
  }

  @Test
  void aTriggerFindingACycleQueuedButNotStartedJoinsIt() {
    String t = aTenant();
    scheduler.ensureOpsSchedule(t);

    OpsScheduler.QueuedCycle first = scheduler.runNow(t, Trigger.EVENT);
    OpsScheduler.QueuedCycle second = scheduler.runNow(t, Trigger.MANUAL);

    assertThat(second.runId()).isEqualTo(first.runId());
    assertThat(second.pending()).isFalse();
    assertThat(first.joined()).isFalse();
    assertThat(second.joined()).isTrue();
    assertThat(rowsOf(t)).isEqualTo(1);
  }

  @Test
  void aCycleLeftPickedByAKilledWorkerIsRevivedAndTheScheduleContinues() {
    String t = aTenant();
    scheduler.ensureOpsSchedule(t);
    Instant longAgo = Instant.now().minus(Duration.ofHours(1));
    db.database().jdbi().useHandle(h -> h.createUpdate("""
            UPDATE ops_agent_tasks SET picked = TRUE, picked_by = 'killed-worker',
                last_heartbeat = :longAgo, execution_time = :longAgo, version = version + 1
            WHERE task_instance = :t""")
        .bind("longAgo", longAgo).bind("t", t).execute());

    startQueues();

    await().atMost(Duration.ofSeconds(20)).until(() -> runner.count(t) >= 1);
    await().atMost(Duration.ofSeconds(10)).until(() -> runner.count(t) >= 2);
  }

  @Test
  void aFailingCycleKeepsItsRecurringSchedule() {
    String t = aTenant();
    runner.failWith(t, new IllegalStateException("model unavailable"));
    scheduler.ensureOpsSchedule(t);
    startQueues();

    await().atMost(Duration.ofSeconds(15)).until(() -> runner.count(t) >= 3);
    assertThat(rowsOf(t)).isEqualTo(1);
  }

  @Test
  void aQueuedCycleThatThrowsIsRunAgainSoonWithTheSameTriggerAndRunId() {
    String t = aTenant();
    runner.failOnceWith(t, new IllegalStateException("database unreachable while finishing the run"));
    startQueues();

    OpsScheduler.QueuedCycle queued = scheduler.runNow(t, Trigger.EVENT);

    await().atMost(Duration.ofSeconds(20)).until(() -> runner.count(t) >= 2);
    assertThat(runner.of(t)).extracting(RecordingRunner.Cycle::runId).containsExactly(queued.runId(), queued.runId());
    assertThat(runner.of(t)).extracting(RecordingRunner.Cycle::trigger).containsOnly(Trigger.EVENT);
    await().atMost(Duration.ofSeconds(10)).until(() -> rowsOf(t) == 0); // the one-off cycle is done
  }

  @Test
  void schedulesSurviveASchedulerRestart() {
    String t = aTenant();
    scheduler.ensureOpsSchedule(t);
    startQueues();
    await().atMost(Duration.ofSeconds(10)).until(() -> runner.count(t) >= 1);
    queues.stop();

    RecordingRunner afterRestart = new RecordingRunner();
    scheduler = new OpsScheduler(db.database(), CONFIG.scheduling(), new io.opsagent.platform.TenantRepository(db.database().jdbi(), Clock.systemUTC()), afterRestart, new io.opsagent.queue.Wakeup(db.database()), Clock.systemUTC());
    startQueues();

    await().atMost(Duration.ofSeconds(10)).until(() -> afterRestart.count(t) >= 1);
    assertThat(rowsOf(t)).isEqualTo(1);
  }

  @Test
  void aDisabledTenantStaysDisabledAndCanStillBeTriggeredManuallyOnce() {
    String t = aTenant();
    scheduler.ensureOpsSchedule(t);
    scheduler.disable(t);

    OpsScheduler afterRestart = new OpsScheduler(db.database(), CONFIG.scheduling(), new io.opsagent.platform.TenantRepository(db.database().jdbi(), Clock.systemUTC()), runner, new io.opsagent.queue.Wakeup(db.database()), Clock.systemUTC());
    assertThat(afterRestart.ensureOpsSchedule(t)).isFalse();
    assertThat(afterRestart.isOpsEnabled(t)).isFalse();
    assertThat(afterRestart.schedule(t)).isEqualTo(new OpsSchedule(false, Duration.ofSeconds(1), null));

    startQueues();
    afterRestart.runNow(t, Trigger.MANUAL);
    await().atMost(Duration.ofSeconds(10)).until(() -> runner.count(t) == 1 && rowsOf(t) == 0);
    await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4)).until(() -> runner.count(t) == 1);

    afterRestart.enable(t);
    assertThat(afterRestart.isOpsEnabled(t)).isTrue();
    await().atMost(Duration.ofSeconds(10)).until(() -> runner.count(t) >= 2);
  }

  @Test
  void theStartupScanSchedulesExactlyTheEnabledTenantsWithADeploymentThatIsNotStopped() {
    String running = fx.tenant("running").deployment("api", DeploymentStatus.RUNNING).id();
    String alsoRunning = fx.tenant("mixed").deployment("api", DeploymentStatus.FAILED)
        .deployment("web", DeploymentStatus.RUNNING).id();
    String failedOnly = fx.tenant("failed").deployment("api", DeploymentStatus.FAILED).id();
    String stoppedOnly = fx.tenant("stopped").deployment("api", DeploymentStatus.STOPPED).id();
    String disabled = fx.tenant("disabled").deployment("api", DeploymentStatus.RUNNING).id();
    String registered = fx.tenant("registered").deployment("api", DeploymentStatus.RUNNING).id();
    scheduler.disable(disabled);
    scheduler.ensureOpsSchedule(registered);

    assertThat(scheduler.scanAndRegister()).isEqualTo(3);
    assertThat(scheduler.scanAndRegister()).isZero();

    // a tenant whose deployments all FAILED needs watching most of all
    assertThat(List.of(running, alsoRunning, failedOnly, registered)).allMatch(scheduler::isOpsEnabled);
    assertThat(List.of(running, alsoRunning, failedOnly, registered)).allMatch(t -> rowsOf(t) == 1);
    assertThat(rowsOf(stoppedOnly)).isZero();
    assertThat(rowsOf(disabled)).isZero();
  }
}
