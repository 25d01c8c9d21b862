package io.opsagent.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.opsagent.agent.run.OpsRun;
import io.opsagent.agent.run.RunRepository;
import io.opsagent.agent.run.RunStatus;
import io.opsagent.api.ApiClient;
import io.opsagent.queue.schedule.Trigger;
import io.opsagent.support.FakeMessagesApi;
import io.opsagent.support.OpsagentProcess;
import io.opsagent.support.TcpProxy;
import io.opsagent.support.TestDatabase;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PostgreSQL goes away while a worker (its own JVM, reaching the database through a proxy the test
 * cuts) is in a manual cycle's model call, so the cycle cannot record its outcome; once the database
 * is back the same worker runs the queued cycle again and it completes, under a new run id. The
 * cut-off run says the database failed it — not that a worker stopped — and names its retry; the
 * worker's log has no duplicate-key error.
 */
class DatabaseOutageMidCycleTest {
  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir
  Path dir;

  @Test
  void aCycleCutOffByADatabaseOutageIsRetriedByItsWorkerAndItsOrphanNamesTheDatabase() throws Exception {
    try (TestDatabase db = TestDatabase.create(DatabaseOutageMidCycleTest.class);
        FakeMessagesApi model = FakeMessagesApi.start();
        TcpProxy proxy = new TcpProxy(TestDatabase.HOST, Integer.parseInt(TestDatabase.PORT)).start()) {
      SreScript script = SreScript.on(model);
      RunRepository runs = new RunRepository(db.database().jdbi(), Clock.systemUTC());
      WorkerEnv env = new WorkerEnv(db, model, "PT1H").with("OPSAGENT_HEARTBEAT_INTERVAL", "PT1S")
          .with("OPSAGENT_DB_URL", db.url().replace(":" + TestDatabase.PORT + "/", ":" + proxy.port() + "/"));
      try (OpsagentProcess worker = OpsagentProcess.start(dir, env.env, "worker")) {
        await().atMost(WAIT).until(() -> worker.stderr().contains("worker started") || !worker.isAlive());
        ApiClient api = new ApiClient(env.port, env.token);
        String tenant = api.create("/api/tenants", "{\"name\":\"outage\"}");
        String ws = api.create("/api/tenants/" + tenant + "/workspaces", "{\"name\":\"production\"}");
        api.create("/api/workspaces/" + ws + "/deployments", "{\"name\":\"web\"}");
        SreScript.Hold hold = script.holdNextCycleOf(tenant);
        try {
          var trigger = api.post("/api/tenants/" + tenant + "/ops/cycles", "");
          assertThat(trigger.status()).isEqualTo(202);
          String queued = trigger.json().get("runId").asText();
          hold.awaitArrival();

          proxy.cut();
          hold.release(); // the model answers; the outcome cannot be written
          await().atMost(WAIT).until(() -> worker.stderr().contains("ops cycle failed"));
          assertThat(worker.stderr()).contains("cycle outcome could not be recorded");
          assertThat(runs.find(tenant, queued).orElseThrow().status()).isEqualTo(RunStatus.RUNNING);
          proxy.start();

          OpsRun retry = await().atMost(WAIT).until(() -> runs.recent(tenant, 10).stream()
              .filter(r -> r.status() == RunStatus.COMPLETED).findFirst(), Optional::isPresent).orElseThrow();
          assertThat(retry.id()).isNotEqualTo(queued);
          assertThat(retry.trigger()).isEqualTo(Trigger.MANUAL);
          assertThat(retry.summary()).isEqualTo(SreScript.ALL_CLEAR);
          OpsRun orphan = runs.find(tenant, queued).orElseThrow();
          assertThat(orphan.status()).isEqualTo(RunStatus.FAILED);
          assertThat(orphan.error()).startsWith("database outage mid-cycle")
              .contains("could not record its outcome")
              .contains("the cycle was retried as run " + retry.id())
              .doesNotContain("worker stopped").doesNotContain("worker lost");
          assertThat(worker.stderr()).contains("ops cycle retried").doesNotContain("duplicate key");
          assertThat(worker.isAlive()).isTrue();
        } finally {
          hold.release();
        }
      }
    }
  }
}
