package io.opsagent.agent.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.opsagent.config.Config;
import io.opsagent.db.Database;
import io.opsagent.db.Ids;
import io.opsagent.notify.ChannelType;
import io.opsagent.notify.NotificationChannelRepository;
import io.opsagent.platform.Deployment;
import io.opsagent.platform.DeploymentStatus;
import io.opsagent.queue.Queues;
import io.opsagent.queue.schedule.CycleRunner;
import io.opsagent.queue.schedule.OpsScheduler;
import io.opsagent.queue.schedule.Trigger;
import io.opsagent.support.Fixtures;
import io.opsagent.support.TestDatabase;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Runs, deployment events and deliveries older than {@code OPSAGENT_RETENTION} are deleted by a daily
 * job on the deployment queue; recent rows, running runs and pending deliveries stay.
 */
class RetentionTest {
  static final Duration NINETY_DAYS = Duration.ofDays(90);

  TestDatabase db;
  Jdbi jdbi;
  String tenant;
  Deployment deployment;
  String channel;
  final Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
  final Instant old = now.minus(Duration.ofDays(91));
  final Instant recent = now.minus(Duration.ofDays(89));

  @BeforeEach
  void setUp() {
    db = TestDatabase.create(RetentionTest.class);
    jdbi = db.database().jdbi();
    var fixture = new Fixtures(db.database()).tenant("acme").workspace("production");
    tenant = fixture.id();
    deployment = fixture.deploy("web", DeploymentStatus.RUNNING, "1.0");
    channel = new NotificationChannelRepository(jdbi, true, Clock.systemUTC()).create(tenant, null, ChannelType.EMAIL, "mail",
        new ObjectMapper().createObjectNode().put("to", "oncall@example.com")).id();
  }

  @AfterEach
  void tearDown() {
    db.close();
  }

  @Test
  void rowsOlderThanTheRetentionAreDeletedAndRecentOnesAndRunningRunsKept() {
    String oldRun = run("completed", old);
    String oldFailedRun = run("failed", old);
    String stillRunning = run("running", old);
    String recentRun = run("completed", recent);
    String oldEvent = event(old);
    String recentEvent = event(recent);
    String oldDelivered = delivery("delivered", old);
    String oldFailed = delivery("failed", old);
    String stillPending = delivery("pending", old);
    String recentDelivered = delivery("delivered", recent);

    Retention.Deleted deleted = new Retention(jdbi, NINETY_DAYS, Clock.systemUTC()).purge();

    assertThat(ids("ops_agent_runs")).containsExactlyInAnyOrder(stillRunning, recentRun)
        .doesNotContain(oldRun, oldFailedRun);
    assertThat(ids("deployment_events")).contains(recentEvent).doesNotContain(oldEvent);
    assertThat(ids("notifications")).containsExactlyInAnyOrder(stillPending, recentDelivered)
        .doesNotContain(oldDelivered, oldFailed);
    assertThat(deleted).isEqualTo(new Retention.Deleted(2, 1, 2));
  }

  @Test
  void aBacklogLargerThanOneBatchIsDeletedEntirely() {
    jdbi.useHandle(h -> h.createUpdate("""
            INSERT INTO deployment_events (id, tenant_id, deployment_id, type, created_at)
            SELECT 'ev-' || g, :tenant, :deployment, 'log', :at FROM generate_series(1, 2500) g""")
        .bind("tenant", tenant).bind("deployment", deployment.id()).bind("at", old).execute());
    String keep = event(recent);

    Retention.Deleted deleted = new Retention(jdbi, NINETY_DAYS, Clock.systemUTC()).purge();

    assertThat(deleted.events()).isEqualTo(2500);
    assertThat(ids("deployment_events")).contains(keep).noneMatch(id -> id.startsWith("ev-"));
  }

  @Test
  void theDailyJobOnTheDeploymentQueueRunsAtTheFirstStartAndOnlyOnceForTheCluster() {
    String oldRun = run("completed", old);
    String recentRun = run("completed", recent);
    Config config = Config.fromEnv(Map.of("OPSAGENT_POLL_INTERVAL", "PT0.2S", "OPSAGENT_RETENTION", "P90D"));
    var retention = new Retention(jdbi, config.audit().retention(), Clock.systemUTC());
    OpsScheduler ops = new OpsScheduler(db.database(), config.scheduling(), new io.opsagent.platform.TenantRepository(db.database().jdbi(), Clock.systemUTC()), (t, trigger, runId) -> CycleRunner.Result.DONE, new io.opsagent.queue.Wakeup(db.database()), Clock.systemUTC());

    try (Queues first = new Queues(db.database(), config.scheduling(), config.llm(), config.actions(), ops.task(), job -> {}, List.of(retention.task()), Clock.systemUTC());
        Queues second = new Queues(db.database(), config.scheduling(), config.llm(), config.actions(), ops.task(), job -> {}, List.of(retention.task()), Clock.systemUTC())) {
      first.start();
      second.start();

      await().atMost(Duration.ofSeconds(30)).until(() -> !ids("ops_agent_runs").contains(oldRun));
      assertThat(ids("ops_agent_runs")).contains(recentRun);
      // the purge's rows are gone before its job is rescheduled: wait for that too
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
        Instant next = jdbi.withHandle(h -> h.createQuery(
                "SELECT execution_time FROM deployment_tasks WHERE task_name = 'retention'")
            .mapTo(Instant.class).one());
        assertThat(next).as("next purge a day later").isAfter(now.plus(Duration.ofHours(23)));
      });
    }
  }

  @Test
  void thePurgeRunsOnTheEmbeddedDatabaseToo() {
    String url = "jdbc:hsqldb:mem:r" + Ids.newId().replace("-", "") + ";sql.syntax_pgs=true;hsqldb.tx=mvcc";
    try (Database embedded = Database.open(url, "SA", "", 4)) {
      embedded.migrate();
      jdbi = embedded.jdbi();
      tenant = new Fixtures(embedded).tenant("acme").id();
      String oldRun = run("completed", old);
      String recentRun = run("completed", recent);

      assertThat(new Retention(jdbi, NINETY_DAYS, Clock.systemUTC()).purge().runs()).isEqualTo(1);
      assertThat(ids("ops_agent_runs")).containsExactly(recentRun).doesNotContain(oldRun);
    } finally {
      jdbi = db.database().jdbi();
    }
  }

  @Test
  void deletingAChainsOldestRunsKeepsItVerifiableFromTheCheckpointAndAlterationsStillShow() {
    RunRepository runs = new RunRepository(jdbi, Clock.systemUTC());
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      ids.add(chainedRun(runs, i));
    }
    Instant lastOldFinished = runs.find(tenant, ids.get(2)).orElseThrow().finishedAt();
    await().until(() -> Instant.now().isAfter(lastOldFinished));
    Instant cutoff = Instant.now();
    await().until(() -> Instant.now().isAfter(cutoff));
    for (int i = 3; i < 5; i++) {
      ids.add(chainedRun(runs, i));
    }

    Retention.Deleted deleted = new Retention(jdbi, NINETY_DAYS,
        Clock.fixed(cutoff.plus(NINETY_DAYS), java.time.ZoneOffset.UTC)).purge();

    assertThat(deleted.runs()).isEqualTo(3);
    assertThat(ids("ops_agent_runs")).containsExactlyInAnyOrder(ids.get(3), ids.get(4));
    RunChain.Verification intact = runs.verifyChain(tenant);
    assertThat(intact.intact()).as("first altered: %s", intact.firstAlteredRunId()).isTrue();
    assertThat(intact.chained()).isEqualTo(2);

    jdbi.useHandle(h -> h.createUpdate("UPDATE ops_agent_runs SET summary = 'nothing happened' WHERE id = :id")
        .bind("id", ids.get(3)).execute());
    assertThat(runs.verifyChain(tenant).firstAlteredRunId()).isEqualTo(ids.get(3));
  }

  private String chainedRun(RunRepository runs, int i) {
    String id = runs.start(tenant, Trigger.MANUAL).id();
    runs.finish(id, new RunOutcome(RunStatus.COMPLETED, "run " + i, "[]", new TokenUsage(1, 1, 0, 0), 1,
        "rules", null, null, null));
    return id;
  }

  private String run(String status, Instant startedAt) {
    String id = Ids.newId();
    jdbi.useHandle(h -> h.createUpdate("""
            INSERT INTO ops_agent_runs (id, tenant_id, status, "trigger", started_at, finished_at,
                actions_json, input_tokens, output_tokens, steps)
            VALUES (:id, :tenant, :status, 'schedule', :at, :finished, '[]', 0, 0, 0)""")
        .bind("id", id).bind("tenant", tenant).bind("status", status).bind("at", startedAt)
        .bind("finished", status.equals("running") ? null : startedAt.plusSeconds(5))
        .execute());
    return id;
  }

  private String event(Instant at) {
    String id = Ids.newId();
    jdbi.useHandle(h -> h.createUpdate("""
            INSERT INTO deployment_events (id, tenant_id, deployment_id, type, created_at)
            VALUES (:id, :tenant, :deployment, 'log', :at)""")
        .bind("id", id).bind("tenant", tenant).bind("deployment", deployment.id()).bind("at", at).execute());
    return id;
  }

  private String delivery(String status, Instant at) {
    String id = Ids.newId();
    jdbi.useHandle(h -> h.createUpdate("""
            INSERT INTO notifications (id, tenant_id, channel_id, severity, title, body, status, attempts,
                created_at, updated_at)
            VALUES (:id, :tenant, :channel, 'critical', 't', 'b', :status, 1, :at, :at)""")
        .bind("id", id).bind("tenant", tenant).bind("channel", channel).bind("status", status).bind("at", at)
        .execute());
    return id;
  }

  private List<String> ids(String table) {
    return jdbi.withHandle(h -> h.createQuery("SELECT id FROM " + table).mapTo(String.class).list());
  }
}
