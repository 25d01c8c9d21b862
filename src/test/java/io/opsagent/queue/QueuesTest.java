package io.opsagent.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.opsagent.config.Config;
import io.opsagent.queue.schedule.CycleRunner;
import io.opsagent.queue.schedule.OpsScheduler;
import io.opsagent.queue.schedule.Trigger;
import io.opsagent.support.Fixtures;
import io.opsagent.support.TestDatabase;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class QueuesTest {
  static TestDatabase db;

  @BeforeAll
  static void createDatabase() {
    db = TestDatabase.create(QueuesTest.class);
  }

  @AfterAll
  static void dropDatabase() {
    db.close();
  }

  @Test
  void deploymentJobsKeepFlowingAtTheirOwnConcurrencyWhileAnOpsCycleBlocks() throws Exception {
    Config config = Config.fromEnv(Map.of(
        "OPSAGENT_POLL_INTERVAL", "PT0.1S",
        "OPSAGENT_OPS_CONCURRENCY", "1",
        "OPSAGENT_DEPLOYMENT_CONCURRENCY", "2"));
    CountDownLatch cycleEntered = new CountDownLatch(1);
    CountDownLatch releaseCycle = new CountDownLatch(1);
    OpsScheduler ops = new OpsScheduler(db.database(), config.scheduling(), new io.opsagent.platform.TenantRepository(db.database().jdbi(), Clock.systemUTC()), (tenant, trigger, runId) -> {
      cycleEntered.countDown();
      awaitOrFail(releaseCycle);
      return CycleRunner.Result.DONE;
    }, new io.opsagent.queue.Wakeup(db.database()), Clock.systemUTC());
    // two jobs must be inside the handler at once to pass: proves the deployment queue's 2 threads
    CyclicBarrier twoAtOnce = new CyclicBarrier(2);
    Set<String> handled = ConcurrentHashMap.newKeySet();
    DeploymentJobHandler handler = job -> {
      if (job.kind().equals("pair")) {
        twoAtOnce.await(10, TimeUnit.SECONDS);
      }
      handled.add(job.deploymentId());
    };
    String tenant = new Fixtures(db.database()).tenant("acme").id();

    try (Queues queues = new Queues(db.database(), config.scheduling(), config.llm(), config.actions(), ops.task(), handler, Clock.systemUTC())) {
      queues.start();
      ops.runNow(tenant, Trigger.MANUAL);
      assertThat(cycleEntered.await(10, TimeUnit.SECONDS)).isTrue();

      queues.enqueue(new DeploymentJob("pair", tenant, "d1", Map.of()));
      queues.enqueue(new DeploymentJob("pair", tenant, "d2", Map.of()));
      for (int i = 3; i <= 10; i++) {
        queues.enqueue(new DeploymentJob("deploy", tenant, "d" + i, Map.of("version", "1." + i)));
      }

      await().atMost(Duration.ofSeconds(15)).until(() -> handled.size() == 10);
      assertThat(cycleEntered.getCount()).isZero();
      assertThat(releaseCycle.getCount()).isEqualTo(1); // the ops cycle was blocked all along
      releaseCycle.countDown();
    }
  }

  private static void awaitOrFail(CountDownLatch latch) {
    try {
      if (!latch.await(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException("never released");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
