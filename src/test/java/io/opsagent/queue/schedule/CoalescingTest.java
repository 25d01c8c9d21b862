package io.opsagent.queue.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.opsagent.config.Config;
import io.opsagent.queue.Queues;
import io.opsagent.queue.Wakeup;
import io.opsagent.support.Fixtures;
import io.opsagent.support.TestDatabase;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Never drop, never pile up (issue 11, items 1 and 2): per tenant at most one running and one
 * pending cycle, the pending one starting as soon as the running one ends. The queue polls only
 * every 30 s here, so a cycle that starts within the awaited two seconds was started by the
 * wake-up, not by the poll.
 */
class CoalescingTest {
  static final Config CONFIG = Config.fromEnv(Map.of(
      "OPSAGENT_CYCLE_INTERVAL", "PT1H",
      "OPSAGENT_POLL_INTERVAL", "PT30S",
      "OPSAGENT_HEARTBEAT_INTERVAL", "PT1S",
      "OPSAGENT_OPS_CONCURRENCY", "2"));
  static final Duration AT_ONCE = Duration.ofSeconds(2);
  /** How long each cycle of {@link #slowCycles} takes: the model's latency. */
  static final Duration MODEL_LATENCY = Duration.ofSeconds(1);

  static TestDatabase db;
  static Fixtures fx;

  RecordingRunner runner = new RecordingRunner();
  Set<String> slow = new HashSet<>();
  Wakeup wakeup;
  OpsScheduler scheduler;
  Queues queues;

  @BeforeAll
  static void createDatabase() {
    db = TestDatabase.create(CoalescingTest.class);
    fx = new Fixtures(db.database());
  }

  @AfterAll
  static void dropDatabase() {
    db.close();
  }

  @BeforeEach
  void startQueues() {
    wakeup = new Wakeup(db.database());
    scheduler = new OpsScheduler(db.database(), CONFIG.scheduling(), new io.opsagent.platform.TenantRepository(db.database().jdbi(), Clock.systemUTC()), (tenantId, trigger, runId) ->
        runner.runCycle(tenantId, trigger, runId, () -> {
          if (slow.contains(tenantId)) {
            LockSupport.parkNanos(MODEL_LATENCY.toNanos()); // a model call, not synchronisation
          }
        }), wakeup, Clock.systemUTC());
    queues = new Queues(db.database(), CONFIG.scheduling(), CONFIG.llm(), CONFIG.actions(), scheduler.task(), job -> {}, Clock.systemUTC());
    queues.start(wakeup);
    // one cycle through the queue first: its start-up poll is behind us, the next one 30 s ahead
    String warmUp = fx.tenant("warm-up").id();
    scheduler.runNow(warmUp, Trigger.MANUAL);
    await().atMost(Duration.ofSeconds(30)).until(() -> runner.count(warmUp) == 1);
  }

  @AfterEach
  void stopQueues() {
    queues.stop();
    wakeup.close();
    db.database().jdbi().useHandle(h -> {
      h.execute("DELETE FROM ops_agent_tasks");
      h.execute("DELETE FROM ops_schedules");
    });
  }

  @Test
  void aQueuedCycleStartsInTheSameProcessWithoutWaitingForThePoll() {
    String t = fx.tenant("prompt").id();

    OpsScheduler.QueuedCycle queued = scheduler.runNow(t, Trigger.EVENT);

    await().atMost(AT_ONCE).until(() -> runner.count(t) == 1);
    assertThat(runner.of(t).get(0).runId()).isEqualTo(queued.runId());
    assertThat(queued.pending()).isFalse();
  }

  @Test
  void eventsDuringARunningCycleGiveExactlyOneFollowUpCycleRightAfterIt() throws Exception {
    String t = fx.tenant("busy").id();
    RecordingRunner.Gate gate = runner.hold(t);
    OpsScheduler.QueuedCycle first = scheduler.runNow(t, Trigger.EVENT);
    assertThat(gate.entered.await(10, TimeUnit.SECONDS)).isTrue();

    List<OpsScheduler.QueuedCycle> during = List.of(scheduler.runNow(t, Trigger.EVENT),
        scheduler.runNow(t, Trigger.EVENT), scheduler.runNow(t, Trigger.MANUAL),
        scheduler.runNow(t, Trigger.EVENT));
    Instant released = Instant.now();
    gate.release();

    assertThat(during).allSatisfy(q -> assertThat(q.pending()).isTrue());
    assertThat(during).extracting(OpsScheduler.QueuedCycle::runId).containsOnly(during.get(0).runId());
    await().atMost(AT_ONCE).until(() -> runner.count(t) == 2);
    RecordingRunner.Cycle followUp = runner.of(t).get(1);
    assertThat(followUp.runId()).isEqualTo(during.get(0).runId()).isNotEqualTo(first.runId());
    assertThat(followUp.trigger()).isEqualTo(Trigger.EVENT);
    assertThat(followUp.startedAt()).isAfterOrEqualTo(released);
    await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() -> runner.count(t) == 2);
    assertThat(runner.maxConcurrentPerTenant()).isEqualTo(1);
  }

  @Test
  void fiftyStatusChangesInTwoSecondsGiveAtMostThreeCyclesAndTheLastReviewsTheFinalState() {
    String t = fx.tenant("flapping").id();
    slow.add(t);

    Instant burstStart = Instant.now();
    for (int i = 0; i < 50; i++) {
      scheduler.runNow(t, Trigger.EVENT);
    }
    Instant lastEvent = Instant.now();

    assertThat(Duration.between(burstStart, lastEvent))
        .as("precondition: the burst fits in two seconds").isLessThan(Duration.ofSeconds(2));
    // a cycle that started after the last event is the final one: every event before its start
    // either joined it or was reviewed by an earlier cycle, and none came later to leave one pending
    await().atMost(Duration.ofSeconds(15)).until(() -> runner.cycles.stream()
        .anyMatch(c -> c.tenantId().equals(t) && c.startedAt().isAfter(lastEvent)));
    await().atMost(Duration.ofSeconds(15)).until(() -> rowsOf(t) == 0);
    List<RecordingRunner.Cycle> cycles = runner.of(t);
    assertThat(cycles.get(cycles.size() - 1).startedAt()).as("the final state is reviewed").isAfter(lastEvent);
    assertThat(runner.count(t)).isBetween(1, 3);
    assertThat(runner.maxConcurrentPerTenant()).isEqualTo(1);
  }

  static int rowsOf(String tenantId) {
    return db.database().jdbi().withHandle(h -> h.createQuery(
            "SELECT COUNT(*) FROM ops_agent_tasks WHERE task_instance = :t")
        .bind("t", tenantId).mapTo(Integer.class).one());
  }
}
