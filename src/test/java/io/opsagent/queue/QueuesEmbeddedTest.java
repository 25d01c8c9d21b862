package io.opsagent.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.opsagent.config.Config;
import io.opsagent.db.Database;
import io.opsagent.db.Ids;
import io.opsagent.platform.DeploymentStatus;
import io.opsagent.queue.schedule.CycleRunner;
import io.opsagent.queue.schedule.OpsScheduler;
import io.opsagent.queue.schedule.Trigger;
import io.opsagent.support.Fixtures;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The queues on the embedded HSQLDB, which has no SKIP LOCKED: they start and run a cycle. */
class QueuesEmbeddedTest {
  @Test
  void bothQueuesStartAndRunJobsOnTheEmbeddedDatabase() {
    Config config = Config.fromEnv(Map.of(
        "OPSAGENT_CYCLE_INTERVAL", "PT1S", "OPSAGENT_POLL_INTERVAL", "PT0.1S"));
    String url = "jdbc:hsqldb:mem:q" + Ids.newId().replace("-", "") + ";sql.syntax_pgs=true;hsqldb.tx=mvcc";
    try (Database db = Database.open(url, "SA", "", 10)) {
      db.migrate();
      String scanned = new Fixtures(db).tenant("scanned").deployment("api", DeploymentStatus.RUNNING).id();
      String manual = new Fixtures(db).tenant("manual").id();
      List<String> cycles = new CopyOnWriteArrayList<>();
      List<String> jobs = new CopyOnWriteArrayList<>();
      OpsScheduler ops = new OpsScheduler(db, config.scheduling(), new io.opsagent.platform.TenantRepository(db.jdbi(), Clock.systemUTC()), (tenant, trigger, runId) -> {
        cycles.add(tenant);
        return CycleRunner.Result.DONE;
      }, new io.opsagent.queue.Wakeup(db), Clock.systemUTC());

      try (Queues queues = new Queues(db, config.scheduling(), config.llm(), config.actions(), ops.task(), job -> jobs.add(job.deploymentId()), Clock.systemUTC())) {
        queues.start();
        assertThat(ops.scanAndRegister()).isEqualTo(1);
        ops.runNow(manual, Trigger.MANUAL);
        queues.enqueue(new DeploymentJob("deploy", scanned, "d1", Map.of()));

        await().atMost(Duration.ofSeconds(15))
            .until(() -> cycles.contains(manual) && cycles.stream().filter(scanned::equals).count() >= 2);
        await().atMost(Duration.ofSeconds(5)).until(() -> jobs.contains("d1"));
      }
    }
  }
}
