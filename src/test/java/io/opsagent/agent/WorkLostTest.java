package io.opsagent.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.opsagent.agent.guard.CooldownStore;
import io.opsagent.agent.run.OpsRun;
import io.opsagent.agent.run.RunRepository;
import io.opsagent.agent.run.RunStatus;
import io.opsagent.config.Config;
import io.opsagent.db.Ids;
import io.opsagent.notify.TestReceiver;
import io.opsagent.platform.DeploymentStatus;
import io.opsagent.queue.schedule.Trigger;
import io.opsagent.support.FakeMessagesApi;
import io.opsagent.support.Fixtures;
import io.opsagent.support.TestAgents;
import io.opsagent.support.TestDatabase;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Nothing the agent did is forgotten (issue 10, items 6, 7 and 9): tool calls reach the run row as
 * they complete, a cycle that lost its cluster-wide lock stops before its next side effect and says
 * so, and a reply cut off by {@code max_tokens} never has its (possibly incomplete) tool calls run.
 */
class WorkLostTest {
  static final ObjectMapper JSON = new ObjectMapper();
  /** The title of the model's alert (a failed run also gets the deterministic fallback alert). */
  static final String MODEL_TITLE = "model: api is FAILED";
  static TestDatabase db;
  static Fixtures fx;
  static RunRepository runs;

  FakeMessagesApi api;
  RealNotifier notify;
  TestReceiver receiver;
  OpsAgent agent;

  @BeforeAll
  static void createDatabase() {
    db = TestDatabase.create(WorkLostTest.class);
    fx = new Fixtures(db.database());
    runs = new RunRepository(db.database().jdbi(), Clock.systemUTC());
  }

  @AfterAll
  static void dropDatabase() {
    db.close();
  }

  @BeforeEach
  void startAgent() throws Exception {
    api = FakeMessagesApi.start();
    notify = new RealNotifier(db.database());
    receiver = TestReceiver.answering();
    Config config = Config.fromEnv(Map.of("ANTHROPIC_API_KEY", "sk-ant-test-" + Ids.newId(),
        "ANTHROPIC_BASE_URL", api.baseUrl(), "OPSAGENT_LLM_MAX_RETRIES", "0"));
    agent = TestAgents.builder(config, db.database().jdbi()).notifier(notify.notifier)
        .cooldowns(CooldownStore.inMemory(config.cooldowns(), Clock.systemUTC())).build();
  }

  @AfterEach
  void stopAgent() {
    agent.close();
    notify.close();
    receiver.close();
    api.close();
  }

  /** A tenant with a FAILED deployment and a webhook for its workspace. */
  Fixtures.TenantFixture failingTenant(String name) {
    var t = fx.tenant(name).workspace("web").deployment("api", DeploymentStatus.FAILED);
    notify.webhook(t.id(), t.lastWorkspace().id(), "on-call", receiver.url("/" + name), null);
    return t;
  }

  static String alert(Fixtures.TenantFixture t) {
    return "{\"workspaceId\": \"" + t.lastWorkspace().id() + "\", \"severity\": \"critical\","
        + " \"title\": \"" + MODEL_TITLE + "\", \"body\": \"api is down; roll back.\"}";
  }

  CompletableFuture<OpsRun> inBackground(String tenantId) {
    return CompletableFuture.supplyAsync(() -> agent.runOpsCycle(tenantId, Trigger.EVENT));
  }

  static List<String> actionNames(String actionsJson) throws Exception {
    return java.util.stream.StreamSupport.stream(JSON.readTree(actionsJson).spliterator(), false)
        .map(a -> a.get("name").asText()).toList();
  }

  @Test
  void aToolCallIsInTheRunRowAsSoonAsItCompletesWhileTheCycleStillRuns() throws Exception {
    var t = failingTenant("crashy");
    CountDownLatch next = new CountDownLatch(1);
    api.then(api.toolUse(900, 50, "sendAlert", alert(t)))
        .thenHeld(next, api.text("Alerted on-call.", 950, 20));

    CompletableFuture<OpsRun> cycle = inBackground(t.id());

    // the model's second step hangs; a crash now must not lose the alert already sent
    OpsRun midway = await().atMost(Duration.ofSeconds(20)).until(
        () -> runs.recent(t.id(), 1).stream().findFirst().orElse(null),
        r -> r != null && r.actionsJson().contains("sendAlert"));
    assertThat(midway.status()).isEqualTo(RunStatus.RUNNING);
    JsonNode call = JSON.readTree(midway.actionsJson()).get(0);
    assertThat(call.get("name").asText()).isEqualTo("sendAlert");
    assertThat(call.get("allowed").asBoolean()).isTrue();
    next.countDown();
    assertThat(cycle.get(20, TimeUnit.SECONDS).status()).isEqualTo(RunStatus.COMPLETED);
  }

  @Test
  void aCycleWhoseLockSessionDiesStopsBeforeItsNextToolCallAndRecordsWhy() throws Exception {
    var t = failingTenant("cut-off");
    CountDownLatch reply = new CountDownLatch(1);
    api.thenHeld(reply, api.toolUse(900, 50, "sendAlert", alert(t)))
        .then(api.text("Alerted on-call.", 950, 20));
    CompletableFuture<OpsRun> cycle = inBackground(t.id());
    await().atMost(Duration.ofSeconds(20)).until(() -> api.requests().size() == 1);

    assertThat(terminateAdvisoryLockSessions()).isEqualTo(1);
    reply.countDown();
    OpsRun run = cycle.get(20, TimeUnit.SECONDS);

    assertThat(run.status()).isEqualTo(RunStatus.FAILED);
    assertThat(run.error()).contains("lock lost");
    assertThat(actionNames(run.actionsJson())).doesNotContain("sendAlert");
    assertThat(modelAlerts(t.id())).as("no alert after the lock was lost").isEmpty();
    assertThat(api.requests()).as("no further model call").hasSize(1);
    OpsRun stored = runs.find(t.id(), run.id()).orElseThrow();
    assertThat(stored.status()).isEqualTo(RunStatus.FAILED);
    assertThat(stored.finishedAt()).isNotNull();
  }

  @Test
  void aTruncatedFirstReplyRunsNoneOfItsToolCallsAndFailsTheRun() throws Exception {
    var t = failingTenant("cut-short");
    api.then(api.truncatedToolUse(900, 4096, "sendAlert", alert(t)));

    OpsRun run = agent.runOpsCycle(t.id(), Trigger.EVENT);

    assertThat(run.status()).isEqualTo(RunStatus.FAILED);
    assertThat(run.error()).contains("truncated");
    assertThat(run.actionsJson()).isEqualTo("[]");
    assertThat(run.steps()).isEqualTo(1);
    assertThat(run.outputTokens()).isEqualTo(4096);
    assertThat(modelAlerts(t.id())).isEmpty();
    assertThat(api.requests()).hasSize(1);
  }

  @Test
  void aTruncatedLaterReplyKeepsTheCompletedStepsRunsNoneOfItsToolCallsAndNotesIt() throws Exception {
    var t = failingTenant("half-done");
    api.then(api.toolUse(900, 50, "recordAction",
            "{\"action\": \"triage\", \"reasoning\": \"api FAILED\", \"result\": \"alerting\"}"))
        .then(api.truncatedToolUse(950, 4096, "sendAlert", alert(t)));

    OpsRun run = agent.runOpsCycle(t.id(), Trigger.EVENT);

    assertThat(run.status()).isEqualTo(RunStatus.COMPLETED);
    assertThat(run.error()).contains("truncated");
    assertThat(actionNames(run.actionsJson())).containsExactly("recordAction");
    assertThat(run.steps()).isEqualTo(2);
    assertThat(modelAlerts(t.id())).isEmpty();
    assertThat(api.requests()).hasSize(2);
  }

  List<String> modelAlerts(String tenantId) {
    return notify.deliveries.listByTenant(tenantId, 10).stream().map(d -> d.title())
        .filter(MODEL_TITLE::equals).toList();
  }

  /** Ends the sessions holding advisory locks in the test database (the tenant's cycle lock). */
  static int terminateAdvisoryLockSessions() {
    return db.database().jdbi().withHandle(h -> h.createQuery("""
            SELECT pg_terminate_backend(l.pid) FROM pg_locks l
            WHERE l.locktype = 'advisory' AND l.granted
              AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())""")
        .mapTo(Boolean.class)
        .list()).size();
  }
}
