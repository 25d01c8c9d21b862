package io.opsagent.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.opsagent.agent.run.OpsRun;
import io.opsagent.agent.run.RunRepository;
import io.opsagent.agent.run.RunStatus;
import io.opsagent.api.ApiClient;
import io.opsagent.platform.DeploymentStatus;
import io.opsagent.queue.schedule.Trigger;
import io.opsagent.support.FakeMessagesApi;
import io.opsagent.support.Fixtures;
import io.opsagent.support.OpsagentProcess;
import io.opsagent.support.TestDatabase;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code opsagent worker} as a real process: stopped gracefully by SIGTERM, and killed by SIGKILL
 * in the middle of a cycle, after which another worker takes the tenant over — the orphaned run
 * ends {@code failed}, the schedule goes on, and the tenant's cycles never overlap.
 */
class WorkerProcessTest {
  private static final Duration WAIT = Duration.ofSeconds(60);

  static TestDatabase db;
  static FakeMessagesApi model;
  static SreScript script;
  static Fixtures fixtures;
  static RunRepository runs;

  @TempDir
  Path dir;

  @BeforeAll
  static void setUp() {
    db = TestDatabase.create(WorkerProcessTest.class);
    model = FakeMessagesApi.start();
    script = SreScript.on(model);
    fixtures = new Fixtures(db.database());
    runs = new RunRepository(db.database().jdbi(), Clock.systemUTC());
  }

  @AfterAll
  static void tearDown() {
    model.close();
    db.close();
  }

  @Test
  void sigtermStopsTheWorkerGracefullyWithExitCode0() throws Exception {
    WorkerEnv env = new WorkerEnv(db, model, "PT1H");
    try (OpsagentProcess worker = OpsagentProcess.start(dir, env.env, "worker")) {
      await().atMost(WAIT).until(() -> worker.stderr().contains("worker started") || !worker.isAlive());
      assertThat(new ApiClient(env.port, null).get("/health").status()).isEqualTo(200);

      worker.terminate();

      assertThat(worker.awaitExit(60)).as(worker.stderr()).isEqualTo(0);
      assertThat(worker.stderr()).contains("worker stopping").contains("worker stopped");
    }
  }

  @Test
  void aWorkerWhoseHttpPortIsTakenExitsNonZeroInsteadOfLingering() throws Exception {
    WorkerEnv env = new WorkerEnv(db, model, "PT1H");
    try (ServerSocket taken = new ServerSocket(env.port);
        OpsagentProcess worker = OpsagentProcess.start(dir, env.env, "worker")) {
      assertThat(worker.awaitExit(60)).as(worker.stderr()).isNotEqualTo(0);
      assertThat(worker.stderr()).doesNotContain("worker started");
    }
  }

  @Test
  void sigtermMidCycleLetsTheRunningCycleFinishAndRecordItBeforeExiting0() throws Exception {
    String tenant = fixtures.tenant("busy-at-shutdown").workspace("production").id();
    WorkerEnv env = new WorkerEnv(db, model, "PT1H");
    SreScript.Hold hold = script.holdNextCycleOf(tenant);
    try (OpsagentProcess worker = OpsagentProcess.start(dir, env.env, "worker")) {
      await().atMost(WAIT).until(() -> worker.stderr().contains("worker started") || !worker.isAlive());
      assertThat(new ApiClient(env.port, env.token).post("/api/tenants/" + tenant + "/ops/cycles", "").status())
          .isEqualTo(202);
      hold.awaitArrival();

      worker.terminate();
      await().atMost(WAIT).until(() -> worker.stderr().contains("worker stopping"));
      hold.release();

      assertThat(worker.awaitExit(60)).as(worker.stderr()).isEqualTo(0);
      assertThat(worker.stderr()).contains("worker stopped");
    } finally {
      hold.release();
    }
    assertThat(runs.recent(tenant, 10)).singleElement().satisfies(run -> {
      assertThat(run.status()).isEqualTo(RunStatus.COMPLETED);
      assertThat(run.summary()).isEqualTo(SreScript.ALL_CLEAR);
    });
  }

  @Test
  void aWorkerKilledMidCycleLeavesAFailedRunAndTheTenantsScheduleGoesOnElsewhereWithoutOverlap()
      throws Exception {
    String tenant = fixtures.tenant("crashy").workspace("production")
        .deployment("web", DeploymentStatus.RUNNING).id();
    WorkerEnv env = new WorkerEnv(db, model, "PT3S").with("OPSAGENT_HEARTBEAT_INTERVAL", "PT1S");
    SreScript.Hold hold = script.holdNextCycleOf(tenant);
    OpsRun orphan;
    try (OpsagentProcess first = OpsagentProcess.start(dir, env.env, "worker")) {
      hold.awaitArrival();
      orphan = runningRuns(tenant).get(0);

      first.kill();
    }

    try (Worker second = Worker.start(env.onAnotherPort(db, model).config())) {
      assertThat(runningRuns(tenant)).as("the dead worker's cycle is not run again while it still looks alive")
          .extracting(OpsRun::id).containsOnly(orphan.id());
      OpsRun failed = await().atMost(WAIT).until(() -> runs.find(tenant, orphan.id()).orElseThrow(),
          r -> r.status() != RunStatus.RUNNING);
      assertThat(failed.status()).isEqualTo(RunStatus.FAILED);
      assertThat(failed.error()).contains("worker lost mid-cycle");
      // the schedule goes on: a review, then cycles that find nothing changed
      await().atMost(WAIT).until(() -> completedAfter(tenant, failed) >= 1 && finishedAfter(tenant, failed) >= 2);
      assertThat(second.scheduler().schedule(tenant).nextRunAt()).isNotNull();
    } finally {
      hold.release();
    }
    List<OpsRun> all = runs.recent(tenant, 200).stream()
        .sorted(Comparator.comparing(OpsRun::startedAt)).toList();
    for (int i = 1; i < all.size(); i++) {
      assertThat(all.get(i).startedAt()).as("run %s starts after run %s ended", all.get(i).id(), all.get(i - 1).id())
          .isAfterOrEqualTo(all.get(i - 1).finishedAt());
    }
  }

  @Test
  void aCliCycleAndAWorkerCycleOfTheSameTenantNeverOverlap() throws Exception {
    String tenant = fixtures.tenant("cli-and-worker").workspace("production").id();
    WorkerEnv env = new WorkerEnv(db, model, "PT1H");
    SreScript.Hold hold = script.holdNextCycleOf(tenant);
    try (Worker worker = Worker.start(env.config());
        OpsagentProcess cli = OpsagentProcess.start(dir, env.with("OPSAGENT_HTTP_PORT", "0").env,
            "cycle", "--tenant", tenant)) {
      hold.awaitArrival();

      var trigger = new ApiClient(worker.httpPort(), env.token).post("/api/tenants/" + tenant + "/ops/cycles", "");
      assertThat(trigger.status()).as("a manual trigger while the CLI's cycle runs is queued").isEqualTo(202);
      String queued = trigger.json().get("runId").asText();
      hold.release();

      assertThat(cli.awaitExit(60)).as(cli.stdout()).isEqualTo(0);
      // the worker found the tenant busy, kept the cycle queued and ran it once the CLI was done
      OpsRun later = await().atMost(WAIT).until(() -> runs.find(tenant, queued),
          r -> r.isPresent() && r.get().status() == RunStatus.COMPLETED).orElseThrow();
      assertThat(later.trigger()).isEqualTo(Trigger.MANUAL);
      assertThat(runs.recent(tenant, 10)).as("no run of the tenant was failed by the other process")
          .noneMatch(r -> r.status() == RunStatus.FAILED);
      List<OpsRun> both = runs.recent(tenant, 10).stream().sorted(Comparator.comparing(OpsRun::startedAt)).toList();
      assertThat(both).hasSize(2);
      assertThat(both.get(1).startedAt()).as("never overlapping").isAfterOrEqualTo(both.get(0).finishedAt());
    } finally {
      hold.release();
    }
  }

  private static List<OpsRun> runningRuns(String tenant) {
    return runs.recent(tenant, 200).stream().filter(r -> r.status() == RunStatus.RUNNING).toList();
  }

  private static long finishedAfter(String tenant, OpsRun failed) {
    return runs.recent(tenant, 200).stream().filter(r -> r.status() != RunStatus.RUNNING
        && !r.startedAt().isBefore(failed.finishedAt())).count();
  }

  private static long completedAfter(String tenant, OpsRun failed) {
    return runs.recent(tenant, 200).stream().filter(r -> r.status() == RunStatus.COMPLETED
        && !r.startedAt().isBefore(failed.finishedAt())).count();
  }
}
