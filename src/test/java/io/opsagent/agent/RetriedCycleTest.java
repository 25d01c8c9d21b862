package io.opsagent.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.opsagent.agent.guard.CooldownStore;
import io.opsagent.agent.run.OpsRun;
import io.opsagent.agent.run.RunRepository;
import io.opsagent.agent.run.RunStatus;
import io.opsagent.config.Config;
import io.opsagent.db.Database;
import io.opsagent.db.Ids;
import io.opsagent.platform.DeploymentStatus;
import io.opsagent.queue.schedule.Trigger;
import io.opsagent.support.FakeMessagesApi;
import io.opsagent.support.Fixtures;
import io.opsagent.support.TcpProxy;
import io.opsagent.support.TestAgents;
import io.opsagent.support.TestDatabase;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A cycle run again under the run id it was queued with — its job revived after its worker was
 * lost, or retried after the database failed it — runs (or, if it had already recorded its outcome,
 * is not run twice), never failing on the run row its first attempt left; and that row says why it
 * was cut off: a lost worker, or a database outage in this very process.
 */
class RetriedCycleTest {
  static TestDatabase db;
  static Fixtures fx;
  static RunRepository runs;

  FakeMessagesApi api;
  RealNotifier notify;
  Config config;
  OpsAgent agent;

  @BeforeAll
  static void createDatabase() {
    db = TestDatabase.create(RetriedCycleTest.class);
    fx = new Fixtures(db.database());
    runs = new RunRepository(db.database().jdbi(), Clock.systemUTC());
  }

  @AfterAll
  static void dropDatabase() {
    db.close();
  }

  @BeforeEach
  void startAgent() {
    api = FakeMessagesApi.start();
    notify = new RealNotifier(db.database());
    config = Config.fromEnv(Map.of("ANTHROPIC_API_KEY", "sk-ant-test-" + Ids.newId(),
        "ANTHROPIC_BASE_URL", api.baseUrl(), "OPSAGENT_LLM_MAX_RETRIES", "0"));
    agent = agentOn(db.database());
  }

  @AfterEach
  void stopAgent() {
    agent.close();
    notify.close();
    api.close();
  }

  OpsAgent agentOn(Database database) {
    return TestAgents.builder(config, database.jdbi()).notifier(notify.notifier)
        .cooldowns(CooldownStore.inMemory(config.cooldowns(), Clock.systemUTC())).build();
  }

  static String aTenant(String name) {
    return fx.tenant(name).workspace("web").deployment("api", DeploymentStatus.RUNNING).id();
  }

  @Test
  void aRetryFindingItsRunLeftRunningByALostWorkerRunsUnderANewIdAndLabelsTheOrphanWorkerLost() {
    String tenant = aTenant("revived");
    String queued = Ids.newId();
    runs.start(tenant, Trigger.EVENT, queued); // what the killed worker left behind
    api.then(api.text("All clear.", 100, 10));

    OpsRun retry = agent.runOpsCycle(tenant, Trigger.EVENT, queued);

    assertThat(retry.status()).isEqualTo(RunStatus.COMPLETED);
    assertThat(retry.id()).isNotEqualTo(queued);
    assertThat(retry.trigger()).isEqualTo(Trigger.EVENT);
    OpsRun orphan = runs.find(tenant, queued).orElseThrow();
    assertThat(orphan.status()).isEqualTo(RunStatus.FAILED);
    assertThat(orphan.error()).startsWith(OpsAgent.WORKER_LOST)
        .contains("retried as run " + retry.id());
    assertThat(runs.verifyChain(tenant).intact()).isTrue();
  }

  @Test
  void aRetryOfACycleThatAlreadyRecordedItsOutcomeReturnsThatRunWithoutAnotherModelCall() {
    String tenant = aTenant("recorded");
    String queued = Ids.newId();
    api.then(api.text("All clear.", 100, 10));
    OpsRun first = agent.runOpsCycle(tenant, Trigger.MANUAL, queued);

    OpsRun again = agent.runOpsCycle(tenant, Trigger.MANUAL, queued);

    assertThat(first.status()).isEqualTo(RunStatus.COMPLETED);
    assertThat(again.id()).isEqualTo(queued);
    assertThat(again.status()).isEqualTo(RunStatus.COMPLETED);
    assertThat(api.requests()).hasSize(1);
    assertThat(runs.recent(tenant, 10)).hasSize(1);
  }

  @Test
  void aCycleWhoseOutcomeTheDatabaseCouldNotTakeIsRetriedUnderANewIdAndItsOrphanNamesTheDatabase()
      throws Exception {
    String tenant = aTenant("outage");
    String queued = Ids.newId();
    CountDownLatch reply = new CountDownLatch(1);
    api.thenHeld(reply, api.text("All clear.", 100, 10)).then(api.text("All clear again.", 100, 10));
    try (TcpProxy proxy = new TcpProxy(TestDatabase.HOST, Integer.parseInt(TestDatabase.PORT)).start();
        Database viaProxy = Database.open(db.url().replace(":" + TestDatabase.PORT + "/", ":" + proxy.port() + "/"),
            TestDatabase.USER, TestDatabase.PASSWORD, 4);
        OpsAgent cutOff = agentOn(viaProxy)) {
      CompletableFuture<OpsRun> cycle = CompletableFuture.supplyAsync(
          () -> cutOff.runOpsCycle(tenant, Trigger.EVENT, queued));
      await().atMost(Duration.ofSeconds(20)).until(() -> api.requests().size() == 1);

      proxy.cut(); // PostgreSQL goes away while the model answers
      reply.countDown();
      assertThatThrownBy(() -> cycle.get(60, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class);
      assertThat(runs.find(tenant, queued).orElseThrow().status()).isEqualTo(RunStatus.RUNNING);
      proxy.start();

      // the queue runs the same job again, in the same process, once the database is back
      OpsRun retry = await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
          .until(() -> cutOff.runOpsCycle(tenant, Trigger.EVENT, queued), r -> true);

      assertThat(retry.status()).isEqualTo(RunStatus.COMPLETED);
      assertThat(retry.id()).isNotEqualTo(queued);
      assertThat(retry.summary()).isEqualTo("All clear again.");
      OpsRun orphan = runs.find(tenant, queued).orElseThrow();
      assertThat(orphan.status()).isEqualTo(RunStatus.FAILED);
      assertThat(orphan.error()).startsWith(OpsAgent.DATABASE_OUTAGE)
          .contains("could not record its outcome")
          .contains("retried as run " + retry.id())
          .doesNotContain("worker stopped").doesNotContain(OpsAgent.WORKER_LOST);
    }
  }
}
