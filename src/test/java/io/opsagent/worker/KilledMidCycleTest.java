package io.opsagent.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.opsagent.agent.run.OpsRun;
import io.opsagent.agent.run.RunRepository;
import io.opsagent.agent.run.RunStatus;
import io.opsagent.api.ApiClient;
import io.opsagent.notify.TestReceiver;
import io.opsagent.queue.schedule.Trigger;
import io.opsagent.support.FakeMessagesApi;
import io.opsagent.support.OpsagentProcess;
import io.opsagent.support.TestDatabase;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A FAILED report's cycle survives the worker running it: two workers as separate JVMs, the one
 * reviewing the event is killed (SIGKILL) while its model call hangs, and the survivor revives the
 * queued cycle, runs it under a new run id and its review alerts on-call — within 60 s of the kill
 * (the report itself was paged by code before the kill). The orphan says its worker was lost;
 * neither worker's log has a duplicate-key error.
 *
 * <p>The heartbeat is shortened to 2 s here (takeover bound 2 s × 6 + poll); {@link
 * KilledMidCycleBenchmark} measures the same scenario with the default settings.
 */
class KilledMidCycleTest {
  static TestDatabase db;
  static FakeMessagesApi model;
  static SreScript script;
  static TestReceiver receiver;

  @TempDir
  Path dir;

  @BeforeAll
  static void setUp() throws Exception {
    db = TestDatabase.create(KilledMidCycleTest.class);
    model = FakeMessagesApi.start();
    script = SreScript.on(model);
    receiver = TestReceiver.answering();
  }

  @AfterAll
  static void tearDown() {
    receiver.close();
    model.close();
    db.close();
  }

  @Test
  void theKilledWorkersEventCycleRunsOnTheSurvivorAndPagesWithinAMinute() throws Exception {
    WorkerEnv env = new WorkerEnv(db, model, "PT1H").with("OPSAGENT_HEARTBEAT_INTERVAL", "PT2S");

    Takeover t = killMidCycle(dir, db, model, script, receiver, env, "crashy");

    assertThat(t.page()).as("first page after the kill").isLessThanOrEqualTo(Duration.ofSeconds(60));
    System.out.printf("%nSIGKILL mid-cycle, heartbeat 2 s: retried cycle started %d ms and paged %d ms"
        + " after the kill%n", t.retryStarted().toMillis(), t.page().toMillis());
  }

  /** What one kill measured, from the moment of the SIGKILL. */
  record Takeover(Duration retryStarted, Duration page) {}

  /**
   * Worker A reviews a FAILED report of a fresh tenant, held in its model call; worker B starts
   * beside it; A is killed. Waits (at most 60 s) for B's page, checks the orphan and the logs, and
   * returns the figures.
   */
  static Takeover killMidCycle(Path dir, TestDatabase db, FakeMessagesApi model, SreScript script,
      TestReceiver receiver, WorkerEnv envA, String name) throws Exception {
    RunRepository runs = new RunRepository(db.database().jdbi(), Clock.systemUTC());
    WorkerEnv envB = envA.onAnotherPort(db, model);
    try (OpsagentProcess a = OpsagentProcess.start(dir, envA.env, "worker")) {
      await().atMost(Duration.ofSeconds(60)).until(() -> a.stderr().contains("worker started") || !a.isAlive());
      ApiClient api = new ApiClient(envA.port, envA.token);
      String tenant = api.create("/api/tenants", "{\"name\":\"" + name + "\"}");
      String ws = api.create("/api/tenants/" + tenant + "/workspaces", "{\"name\":\"production\"}");
      String web = api.create("/api/workspaces/" + ws + "/deployments", "{\"name\":\"web\"}");
      assertThat(api.post("/api/tenants/" + tenant + "/notification-channels",
          "{\"type\":\"webhook\",\"name\":\"on-call\",\"workspaceId\":\"" + ws + "\","
              + "\"config\":{\"url\":\"" + receiver.url("/hooks/" + tenant) + "\"}}").status()).isEqualTo(201);
      SreScript.Hold hold = script.holdNextCycleOf(tenant);
      try {
        assertThat(api.post("/api/deployments/" + web + "/events",
            "{\"type\":\"crash\",\"message\":\"OOMKilled\",\"status\":\"FAILED\"}").status()).isEqualTo(201);
        hold.awaitArrival(); // worker A reviews the event, stuck in its model call
        OpsRun orphan = runs.recent(tenant, 10).stream().filter(r -> r.status() == RunStatus.RUNNING)
            .findFirst().orElseThrow();
        try (OpsagentProcess b = OpsagentProcess.start(dir, envB.env, "worker")) {
          await().atMost(Duration.ofSeconds(60)).until(() -> b.stderr().contains("worker started") || !b.isAlive());
          assertThat(b.isAlive()).as(b.stderr()).isTrue();

          a.kill();
          Instant killedAt = Instant.now();
          long killed = System.nanoTime();

          assertThat(receiver.requests().stream().filter(r -> r.path().equals("/hooks/" + tenant))
              .map(r -> r.payload().get("by").asText()))
              .as("code paged the report before the kill, without waiting for the review").containsExactly("code");
          // the retried review's own alert: the takeover reached the model again
          TestReceiver.Request page = await().atMost(Duration.ofSeconds(60)).until(
              () -> receiver.requests().stream().filter(r -> r.path().equals("/hooks/" + tenant))
                  .filter(r -> r.payload().get("by").asText().equals("model")).findFirst(),
              Optional::isPresent).orElseThrow();
          Duration toPage = Duration.ofNanos(page.arrivedNanos() - killed);
          OpsRun retry = await().atMost(Duration.ofSeconds(30)).until(() -> runs.recent(tenant, 10).stream()
              .filter(r -> r.status() == RunStatus.COMPLETED).findFirst(), Optional::isPresent).orElseThrow();

          assertThat(page.payload().get("runId").asText()).isEqualTo(retry.id());
          assertThat(page.payload().get("title").asText()).isEqualTo("web is FAILED");
          assertThat(retry.id()).isNotEqualTo(orphan.id());
          assertThat(retry.trigger()).isEqualTo(Trigger.EVENT);
          OpsRun failed = runs.find(tenant, orphan.id()).orElseThrow();
          assertThat(failed.status()).isEqualTo(RunStatus.FAILED);
          assertThat(failed.error()).startsWith("worker lost mid-cycle")
              .contains("the cycle was retried as run " + retry.id());
          assertThat(b.stderr()).contains("ops cycle retried").contains(retry.id());
          for (OpsagentProcess w : List.of(a, b)) {
            assertThat(w.stderr()).doesNotContain("duplicate key");
          }
          return new Takeover(Duration.between(killedAt, retry.startedAt()), toPage);
        }
      } finally {
        hold.release();
      }
    }
  }
}
