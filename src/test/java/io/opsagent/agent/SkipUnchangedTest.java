package io.opsagent.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.sun.net.httpserver.HttpServer;
import io.opsagent.agent.guard.CooldownStore;
import io.opsagent.agent.run.OpsRun;
import io.opsagent.agent.run.RunStatus;
import io.opsagent.agent.run.SkipReason;
import io.opsagent.config.Config;
import io.opsagent.db.Ids;
import io.opsagent.notify.ChannelType;
import io.opsagent.notify.DeliveryStatus;
import io.opsagent.platform.Deployment;
import io.opsagent.platform.DeploymentStatus;
import io.opsagent.queue.schedule.Trigger;
import io.opsagent.support.FakeMessagesApi;
import io.opsagent.support.Fixtures;
import io.opsagent.support.SettableClock;
import io.opsagent.support.TestAgents;
import io.opsagent.support.TestDatabase;
import io.opsagent.worker.Root;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Scheduled cycles of a tenant whose state did not change since its last review cost no model call
 * (issue 11, item 3): each rule that makes a cycle review anyway is tested on its own, against the
 * fake Messages API counting the requests it got.
 */
class SkipUnchangedTest {
  static TestDatabase db;
  static Fixtures fx;

  FakeMessagesApi api;
  RealNotifier notify;
  SettableClock clock;
  OpsAgent agent;

  @BeforeAll
  static void createDatabase() {
    db = TestDatabase.create(SkipUnchangedTest.class);
    fx = new Fixtures(db.database());
  }

  @AfterAll
  static void dropDatabase() {
    db.close();
  }

  @BeforeEach
  void startAgent() {
    api = FakeMessagesApi.start();
    api.otherwise(api.text("All clear.", 1000, 20));
    notify = new RealNotifier(db.database());
    clock = SettableClock.startingNow();
    Config config = config(api);
    agent = TestAgents.builder(config, db.database().jdbi()).notifier(notify.notifier)
        .cooldowns(CooldownStore.inMemory(config.cooldowns(), Clock.systemUTC())).clock(clock).build();
  }

  @AfterEach
  void stopAgent() {
    agent.close();
    notify.close();
    api.close();
  }

  static Config config(FakeMessagesApi api) {
    return Config.fromEnv(Map.of("ANTHROPIC_API_KEY", "sk-ant-test-" + Ids.newId(),
        "ANTHROPIC_BASE_URL", api.baseUrl(), "OPSAGENT_LLM_MAX_RETRIES", "0",
        "OPSAGENT_FULL_REVIEW_INTERVAL", "PT6H"));
  }

  /** A tenant with one RUNNING deployment, reviewed once (a manual cycle): the memory is set. */
  Fixtures.TenantFixture reviewedTenant(String name) {
    var t = fx.tenant(name).workspace("web").deployment("api", DeploymentStatus.RUNNING);
    assertThat(agent.runOpsCycle(t.id(), Trigger.MANUAL).status()).isEqualTo(RunStatus.COMPLETED);
    return t;
  }

  Deployment deploymentOf(Fixtures.TenantFixture t) {
    return fx.deployments.listByWorkspace(t.lastWorkspace().id()).get(0);
  }

  void assertSkippedUnchanged(OpsRun run) {
    assertThat(run.status()).isEqualTo(RunStatus.SKIPPED);
    assertThat(run.skipReason()).isEqualTo(SkipReason.UNCHANGED);
    assertThat(run.steps()).isZero();
  }

  void assertReviewed(OpsRun run) {
    assertThat(run.status()).isEqualTo(RunStatus.COMPLETED);
    assertThat(run.skipReason()).isNull();
    assertThat(run.steps()).isEqualTo(1);
  }

  @Test
  void aScheduledCycleSeeingTheStateOfTheLastReviewIsSkippedWithoutAModelRequest() {
    var t = reviewedTenant("unchanged");
    int before = api.requests().size();

    OpsRun first = agent.runOpsCycle(t.id(), Trigger.SCHEDULE);
    OpsRun second = agent.runOpsCycle(t.id(), Trigger.SCHEDULE);

    assertSkippedUnchanged(first);
    assertSkippedUnchanged(second);
    assertThat(api.requests()).hasSize(before);
    assertThat(first.costUsd()).isZero();
  }

  @Test
  void aChangedFactOfADeploymentMakesTheScheduledCycleReview() {
    var t = reviewedTenant("update-available");
    Deployment d = deploymentOf(t);
    fx.deployments.updateFacts(d, withLatestVersion(d, "2.0.0"));
    int before = api.requests().size();

    OpsRun run = agent.runOpsCycle(t.id(), Trigger.SCHEDULE);

    assertReviewed(run);
    assertThat(api.requests()).hasSize(before + 1);
    assertThat(OpsAgentTest.firstUserText(api.request(before))).contains("\"latestVersion\":\"2.0.0\"");
    assertSkippedUnchanged(agent.runOpsCycle(t.id(), Trigger.SCHEDULE));
  }

  @Test
  void aNewVersionMakesTheScheduledCycleReview() {
    var t = reviewedTenant("new-version");
    Deployment d = deploymentOf(t);
    fx.deployments.updateFacts(d, withVersion(d, "1.1.0"));
    int before = api.requests().size();

    assertReviewed(agent.runOpsCycle(t.id(), Trigger.SCHEDULE));
    assertThat(api.requests()).hasSize(before + 1);
  }

  @Test
  void aStatusChangeMakesTheScheduledCycleReview() {
    var t = reviewedTenant("degrading");
    fx.deployments.recordEvent(deploymentOf(t), "health", DeploymentStatus.DEGRADED, "p99 latency 4s");
    int before = api.requests().size();

    assertReviewed(agent.runOpsCycle(t.id(), Trigger.SCHEDULE));
    assertThat(api.requests()).hasSize(before + 1);
  }

  @Test
  void aStatusThatFlappedBackStillMakesTheScheduledCycleReviewThoughTheStateIsEqual() {
    var t = reviewedTenant("flapping");
    Deployment d = deploymentOf(t);
    fx.deployments.recordEvent(d, "crash", DeploymentStatus.FAILED, "OOMKilled");
    fx.deployments.recordEvent(d, "recovered", DeploymentStatus.RUNNING, "restarted by the platform");
    int before = api.requests().size();

    OpsRun run = agent.runOpsCycle(t.id(), Trigger.SCHEDULE);

    assertReviewed(run);
    assertThat(api.requests()).hasSize(before + 1);
    assertThat(OpsAgentTest.firstUserText(api.request(before))).contains("OOMKilled");
  }

  @Test
  void aRepeatedIdenticalEventBuysNoModelCallButADifferentOneDoes() {
    var t = fx.tenant("noisy").workspace("web").deployment("api", DeploymentStatus.RUNNING);
    Deployment d = deploymentOf(t);
    fx.deployments.recordEvent(d, "disk", null, "disk 81% full");
    assertReviewed(agent.runOpsCycle(t.id(), Trigger.MANUAL));
    int before = api.requests().size();

    fx.deployments.recordEvent(d, "disk", null, "disk 81% full");
    OpsRun repeated = agent.runOpsCycle(t.id(), Trigger.SCHEDULE);
    fx.deployments.recordEvent(d, "disk", null, "disk 97% full");
    OpsRun different = agent.runOpsCycle(t.id(), Trigger.SCHEDULE);

    assertSkippedUnchanged(repeated);
    assertReviewed(different);
    assertThat(api.requests()).hasSize(before + 1);
    assertThat(OpsAgentTest.firstUserText(api.request(before))).contains("disk 97% full");
  }

  @Test
  void anElapsedFullReviewIntervalMakesTheScheduledCycleReview() {
    var t = reviewedTenant("quiet");
    clock.advance(Duration.ofHours(5).plusMinutes(59));
    assertSkippedUnchanged(agent.runOpsCycle(t.id(), Trigger.SCHEDULE));
    int before = api.requests().size();

    clock.advance(Duration.ofMinutes(2));
    OpsRun run = agent.runOpsCycle(t.id(), Trigger.SCHEDULE);

    assertReviewed(run);
    assertThat(api.requests()).hasSize(before + 1);
    assertSkippedUnchanged(agent.runOpsCycle(t.id(), Trigger.SCHEDULE));
  }

  @Test
  void aBackupBecomingOverdueAsTimePassesMakesTheScheduledCycleReview() {
    var t = fx.tenant("backups").workspace("db");
    Deployment d = t.deploy("postgres", DeploymentStatus.RUNNING, "16");
    fx.deployments.updateFacts(d, withBackup(d, "daily", clock.instant().minus(Duration.ofHours(47))));
    assertReviewed(agent.runOpsCycle(t.id(), Trigger.MANUAL));
    assertSkippedUnchanged(agent.runOpsCycle(t.id(), Trigger.SCHEDULE));
    int before = api.requests().size();

    clock.advance(Duration.ofHours(2)); // the last backup is now 49 h old: overdue

    OpsRun run = agent.runOpsCycle(t.id(), Trigger.SCHEDULE);
    assertReviewed(run);
    assertThat(api.requests()).hasSize(before + 1);
    assertThat(OpsAgentTest.firstUserText(api.request(before))).contains("\"problem\":\"overdue\"");
  }

  @Test
  void manualAndEventCyclesAlwaysReviewEvenWhenNothingChanged() {
    var t = reviewedTenant("asked-for");
    int before = api.requests().size();

    OpsRun manual = agent.runOpsCycle(t.id(), Trigger.MANUAL);
    OpsRun event = agent.runOpsCycle(t.id(), Trigger.EVENT);

    assertReviewed(manual);
    assertReviewed(event);
    assertThat(api.requests()).hasSize(before + 2);
  }

  @Test
  void aFailedReviewLeavesTheNextScheduledCycleToReview() {
    var t = fx.tenant("never-reviewed").workspace("web").deployment("api", DeploymentStatus.RUNNING);
    api.then(FakeMessagesApi.error(500, "api_error", "down"));
    assertThat(agent.runOpsCycle(t.id(), Trigger.MANUAL).status()).isEqualTo(RunStatus.FAILED);
    int before = api.requests().size();

    assertReviewed(agent.runOpsCycle(t.id(), Trigger.SCHEDULE));
    assertThat(api.requests()).hasSize(before + 1);
  }

  @Test
  void theCircuitBreakerIsConsultedBeforeTheUnchangedCheck() {
    var t = reviewedTenant("paused");
    api.then(FakeMessagesApi.error(500, "api_error", "down"))
        .then(FakeMessagesApi.error(500, "api_error", "down"))
        .then(FakeMessagesApi.error(500, "api_error", "down"));
    for (int i = 0; i < 3; i++) {
      assertThat(agent.runOpsCycle(t.id(), Trigger.EVENT).status()).isEqualTo(RunStatus.FAILED);
    }
    int before = api.requests().size();

    OpsRun run = agent.runOpsCycle(t.id(), Trigger.SCHEDULE);

    assertThat(run.status()).isEqualTo(RunStatus.SKIPPED);
    assertThat(run.skipReason()).isEqualTo(SkipReason.CIRCUIT_OPEN);
    assertThat(api.requests()).hasSize(before);
  }

  /**
   * The worker's wiring ({@link Root}): an alert whose delivery fails for good (the receiver
   * answers 500, one attempt allowed) makes the tenant's next scheduled cycle review, though the
   * state is unchanged. Here the delivery fails after the cycle was recorded.
   */
  @Test
  void anAlertThatFailsForGoodAfterItsCycleMakesTheNextScheduledCycleReview() throws Exception {
    CountDownLatch answer = new CountDownLatch(1);
    try (HeldReceiver receiver = HeldReceiver.answering500After(answer);
        Root services = servicesFailingAfterOneAttempt()) {
      services.notifier().start();
      var t = failedTenantAlertingTo(services, receiver.url());
      api.then(api.toolUse(900, 50, "sendAlert", alertFor(t)))
          .then(api.text("Alerted on-call.", 950, 20));
      assertThat(services.agent().runOpsCycle(t.id(), Trigger.MANUAL).status()).isEqualTo(RunStatus.COMPLETED);
      assertSkippedUnchanged(services.agent().runOpsCycle(t.id(), Trigger.SCHEDULE));

      answer.countDown();
      await().atMost(Duration.ofSeconds(20)).until(() -> failedDeliveries(services, t.id()) == 1);
      int before = api.requests().size();
      api.then(api.text("Still failed; alert attempted again.", 900, 20));
      OpsRun next = services.agent().runOpsCycle(t.id(), Trigger.SCHEDULE);

      assertThat(next.status()).isEqualTo(RunStatus.COMPLETED);
      assertThat(api.requests()).hasSize(before + 1);
    }
  }

  /** As above, but the delivery fails for good while its cycle is still running (the race). */
  @Test
  void anAlertThatFailsForGoodWhileItsCycleStillRunsMakesTheNextScheduledCycleReview() throws Exception {
    try (HeldReceiver receiver = HeldReceiver.answering500After(new CountDownLatch(0));
        Root services = servicesFailingAfterOneAttempt()) {
      services.notifier().start();
      var t = failedTenantAlertingTo(services, receiver.url());
      CountDownLatch summary = new CountDownLatch(1);
      api.then(api.toolUse(900, 50, "sendAlert", alertFor(t)))
          .thenHeld(summary, api.text("Alerted on-call.", 950, 20));
      var cycle = CompletableFuture.supplyAsync(() -> services.agent().runOpsCycle(t.id(), Trigger.MANUAL));
      await().atMost(Duration.ofSeconds(20)).until(() -> failedDeliveries(services, t.id()) == 1);
      summary.countDown();
      assertThat(cycle.get(20, TimeUnit.SECONDS).status()).isEqualTo(RunStatus.COMPLETED);
      int before = api.requests().size();
      api.then(api.text("Still failed; alert attempted again.", 900, 20));

      OpsRun next = services.agent().runOpsCycle(t.id(), Trigger.SCHEDULE);

      assertThat(next.status()).isEqualTo(RunStatus.COMPLETED);
      assertThat(next.skipReason()).isNull();
      assertThat(api.requests()).hasSize(before + 1);
    }
  }

  Root servicesFailingAfterOneAttempt() {
    return Root.open(Config.fromEnv(Map.of(
        "OPSAGENT_DB_URL", db.url(), "OPSAGENT_DB_USER", TestDatabase.USER,
        "OPSAGENT_DB_PASSWORD", TestDatabase.PASSWORD,
        "ANTHROPIC_API_KEY", "sk-ant-test-" + Ids.newId(), "ANTHROPIC_BASE_URL", api.baseUrl(),
        "OPSAGENT_LLM_MAX_RETRIES", "0", "OPSAGENT_ALLOW_PRIVATE_WEBHOOKS", "true",
        "OPSAGENT_NOTIFY_MAX_ATTEMPTS", "1", "OPSAGENT_POLL_INTERVAL", "PT0.2S")));
  }

  static Fixtures.TenantFixture failedTenantAlertingTo(Root services, String url) {
    var t = fx.tenant("paged").workspace("web").deployment("api", DeploymentStatus.FAILED);
    services.channels().create(t.id(), t.lastWorkspace().id(), ChannelType.WEBHOOK, "on-call",
        JsonNodeFactory.instance.objectNode().put("url", url));
    return t;
  }

  static String alertFor(Fixtures.TenantFixture t) {
    return "{\"workspaceId\": \"" + t.lastWorkspace().id() + "\", \"severity\": \"critical\","
        + " \"title\": \"api is FAILED\", \"body\": \"api is down.\"}";
  }

  static long failedDeliveries(Root services, String tenantId) {
    return services.notifications().listByTenant(tenantId, 10).stream()
        .filter(d -> d.status() == DeliveryStatus.FAILED).count();
  }

  /** A webhook receiver that answers 500, each request only once {@code answer} is released. */
  static final class HeldReceiver implements AutoCloseable {
    private final HttpServer server;

    private HeldReceiver(CountDownLatch answer) throws IOException {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      server.setExecutor(Executors.newCachedThreadPool());
      server.createContext("/", exchange -> {
        exchange.getRequestBody().readAllBytes();
        try {
          answer.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        exchange.sendResponseHeaders(500, -1);
        exchange.close();
      });
      server.start();
    }

    static HeldReceiver answering500After(CountDownLatch answer) throws IOException {
      return new HeldReceiver(answer);
    }

    String url() {
      return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
    }

    @Override
    public void close() {
      server.stop(0);
    }
  }

  static Deployment withLatestVersion(Deployment d, String latest) {
    return new Deployment(d.id(), d.tenantId(), d.workspaceId(), d.name(), d.status(), d.version(), latest,
        Instant.now(), d.backupSchedule(), d.lastBackupAt(), d.lastBackupStatus(), d.healthUrl(),
        d.createdAt(), d.updatedAt());
  }

  static Deployment withVersion(Deployment d, String version) {
    return new Deployment(d.id(), d.tenantId(), d.workspaceId(), d.name(), d.status(), version,
        d.latestVersion(), d.versionCheckedAt(), d.backupSchedule(), d.lastBackupAt(), d.lastBackupStatus(),
        d.healthUrl(), d.createdAt(), d.updatedAt());
  }

  static Deployment withBackup(Deployment d, String schedule, Instant lastBackupAt) {
    return new Deployment(d.id(), d.tenantId(), d.workspaceId(), d.name(), d.status(), d.version(),
        d.latestVersion(), d.versionCheckedAt(), schedule, lastBackupAt, "ok", d.healthUrl(),
        d.createdAt(), d.updatedAt());
  }
}
