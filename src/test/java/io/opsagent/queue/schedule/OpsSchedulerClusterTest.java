package io.opsagent.queue.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.opsagent.agent.CycleAlreadyRunningException;
import io.opsagent.config.Config;
import io.opsagent.queue.Queues;
import io.opsagent.support.Fixtures;
import io.opsagent.support.TestDatabase;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Two workers ("processes") on the same tables: a tenant's cycles never overlap. */
class OpsSchedulerClusterTest {
  static final Config CONFIG = Config.fromEnv(Map.of(
      "OPSAGENT_CYCLE_INTERVAL", "PT0.3S",
      "OPSAGENT_POLL_INTERVAL", "PT0.05S",
      "OPSAGENT_HEARTBEAT_INTERVAL", "PT1S",
      "OPSAGENT_OPS_CONCURRENCY", "4"));
  static TestDatabase db;

  @BeforeAll
  static void createDatabase() {
    db = TestDatabase.create(OpsSchedulerClusterTest.class);
  }

  @AfterAll
  static void dropDatabase() {
    db.close();
  }

  @AfterEach
  void forgetSchedules() {
    db.database().jdbi().useHandle(h -> h.execute("DELETE FROM ops_agent_tasks"));
  }

  @Test
  void twoWorkersOnTheSameTablesNeverRunTheSameTenantConcurrently() throws Exception {
    Fixtures fx = new Fixtures(db.database());
    List<String> tenants = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      tenants.add(fx.tenant("t" + i).id());
    }
    RecordingRunner shared = new RecordingRunner();
    AtomicInteger firstWorker = new AtomicInteger();
    AtomicInteger secondWorker = new AtomicInteger();
    OpsScheduler first = new OpsScheduler(db.database(), CONFIG.scheduling(), new io.opsagent.platform.TenantRepository(db.database().jdbi(), Clock.systemUTC()), slowly(shared, firstWorker), new io.opsagent.queue.Wakeup(db.database()), Clock.systemUTC());
    OpsScheduler second = new OpsScheduler(db.database(), CONFIG.scheduling(), new io.opsagent.platform.TenantRepository(db.database().jdbi(), Clock.systemUTC()), slowly(shared, secondWorker), new io.opsagent.queue.Wakeup(db.database()), Clock.systemUTC());
    tenants.forEach(first::ensureOpsSchedule);
    tenants.forEach(second::ensureOpsSchedule);

    try (Queues a = new Queues(db.database(), CONFIG.scheduling(), CONFIG.llm(), CONFIG.actions(), first.task(), job -> {}, Clock.systemUTC());
        Queues b = new Queues(db.database(), CONFIG.scheduling(), CONFIG.llm(), CONFIG.actions(), second.task(), job -> {}, Clock.systemUTC())) {
      a.start();
      b.start();
      AtomicBoolean done = new AtomicBoolean();
      AtomicInteger refused = new AtomicInteger();
      Thread clicker = new Thread(() -> {
        while (!done.get()) {
          String t = tenants.get(ThreadLocalRandom.current().nextInt(tenants.size()));
          try {
            (ThreadLocalRandom.current().nextBoolean() ? first : second).runNow(t, Trigger.MANUAL);
          } catch (CycleAlreadyRunningException e) {
            refused.incrementAndGet();
          }
        }
      });
      clicker.start();
      await().atMost(Duration.ofSeconds(60)).until(() -> shared.cycles.size() >= 300);
      done.set(true);
      clicker.join();

      assertThat(shared.maxConcurrentPerTenant()).isEqualTo(1);
      assertThat(firstWorker.get()).isPositive();
      assertThat(secondWorker.get()).isPositive();
      assertThat(shared.cycles).extracting(RecordingRunner.Cycle::trigger).contains(Trigger.MANUAL);
    }
    int rows = db.database().jdbi().withHandle(h -> h.createQuery(
        "SELECT COUNT(*) FROM ops_agent_tasks").mapTo(Integer.class).one());
    assertThat(rows).isEqualTo(tenants.size());
  }

  @Test
  void twoWorkersRegisteringTheSameTenantsAtOnceCreateEachScheduleOnce() throws Exception {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 3000; i++) {
      ids.add(java.util.UUID.randomUUID().toString());
    }
    OpsScheduler first = new OpsScheduler(db.database(), CONFIG.scheduling(), new io.opsagent.platform.TenantRepository(db.database().jdbi(), Clock.systemUTC()), (t, trigger, runId) -> CycleRunner.Result.DONE, new io.opsagent.queue.Wakeup(db.database()), Clock.systemUTC());
    OpsScheduler second = new OpsScheduler(db.database(), CONFIG.scheduling(), new io.opsagent.platform.TenantRepository(db.database().jdbi(), Clock.systemUTC()), (t, trigger, runId) -> CycleRunner.Result.DONE, new io.opsagent.queue.Wakeup(db.database()), Clock.systemUTC());
    int before = first.ensureOpsSchedules(ids.subList(0, 1500).stream().filter(id -> id.hashCode() % 3 == 0).toList());

    var pool = java.util.concurrent.Executors.newFixedThreadPool(2);
    var a = pool.submit(() -> first.ensureOpsSchedules(ids));
    var b = pool.submit(() -> second.ensureOpsSchedules(ids));
    int created = a.get() + b.get();
    pool.shutdown();

    int rows = db.database().jdbi().withHandle(h -> h.createQuery(
            "SELECT COUNT(DISTINCT task_instance) FROM ops_agent_tasks WHERE task_instance IN (<ids>)")
        .bindList("ids", ids).mapTo(Integer.class).one());
    assertThat(rows).isEqualTo(ids.size());
    assertThat(before + created).isEqualTo(ids.size());
    assertThat(first.ensureOpsSchedules(ids)).isZero();
  }

  /** Each cycle holds a database connection for a few milliseconds, like a real one. */
  private static CycleRunner slowly(RecordingRunner shared, AtomicInteger counter) {
    return (tenantId, trigger, runId) -> {
      counter.incrementAndGet();
      return shared.runCycle(tenantId, trigger, runId,
          () -> db.database().jdbi().useHandle(h -> h.execute("SELECT pg_sleep(0.01)")));
    };
  }
}
