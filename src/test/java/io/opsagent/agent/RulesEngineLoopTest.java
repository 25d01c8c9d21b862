package io.opsagent.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.opsagent.agent.guard.CooldownStore;
import io.opsagent.agent.llm.RulesEngine;
import io.opsagent.agent.run.OpsRun;
import io.opsagent.agent.run.RunStatus;
import io.opsagent.config.Config;
import io.opsagent.notify.Delivery;
import io.opsagent.notify.DeliveryStatus;
import io.opsagent.notify.Severity;
import io.opsagent.notify.TestReceiver;
import io.opsagent.platform.Deployment;
import io.opsagent.platform.DeploymentStatus;
import io.opsagent.queue.schedule.Trigger;
import io.opsagent.support.Fixtures;
import io.opsagent.support.TestAgents;
import io.opsagent.support.TestDatabase;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The same cycle without an API key: the rules engine decides, through the same tools. */
class RulesEngineLoopTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static TestDatabase db;
  static Fixtures fx;

  RealNotifier notify;
  TestReceiver receiver;
  OpsAgent loop;

  @BeforeAll
  static void setUpDatabase() {
    db = TestDatabase.create(RulesEngineLoopTest.class);
    fx = new Fixtures(db.database());
  }

  @AfterAll
  static void dropDatabase() {
    db.close();
  }

  @BeforeEach
  void buildLoop() throws Exception {
    notify = new RealNotifier(db.database());
    receiver = TestReceiver.answering();
    Config config = Config.fromEnv(Map.of());
    loop = TestAgents.builder(config, db.database().jdbi()).notifier(notify.notifier)
        .cooldowns(CooldownStore.inMemory(config.cooldowns(), Clock.systemUTC())).build();
  }

  @AfterEach
  void stopNotifier() {
    notify.close();
    receiver.close();
  }

  private void hook(Fixtures.TenantFixture t) {
    notify.webhook(t.id(), t.lastWorkspace().id(), "hook",
        receiver.url("/" + t.lastWorkspace().name()), null);
  }

  @Test
  void aHealthyTenantIsAllClearWithNoActionsAndTheModelIsRules() {
    var t = fx.tenant("healthy").workspace("web")
        .deployment("api", DeploymentStatus.RUNNING).deployment("off", DeploymentStatus.STOPPED);
    hook(t);

    OpsRun run = loop.runOpsCycle(t.id(), Trigger.SCHEDULE);

    assertThat(run.status()).isEqualTo(RunStatus.COMPLETED);
    assertThat(run.summary()).startsWith("All clear");
    assertThat(run.actionsJson()).isEqualTo("[]");
    assertThat(run.model()).isEqualTo(RulesEngine.MODEL_ID);
    assertThat(run.inputTokens()).isZero();
    assertThat(notify.deliveries.listByTenant(t.id(), 10)).isEmpty();
    assertThat(receiver.requests()).isEmpty();
  }

  @Test
  void aFailedDeploymentGetsExactlyOneCriticalAlertToItsWorkspace() throws Exception {
    var t = fx.tenant("failing").workspace("quiet").deployment("ok", DeploymentStatus.RUNNING);
    hook(t);
    t.workspace("web");
    hook(t);
    Deployment failed = t.deploy("api", DeploymentStatus.FAILED, "2.0");

    OpsRun run = loop.runOpsCycle(t.id(), Trigger.SCHEDULE);

    assertThat(notify.settled(t.id())).singleElement().satisfies(d -> {
      assertThat(d.status()).isEqualTo(DeliveryStatus.DELIVERED);
      assertThat(d.severity()).isEqualTo(Severity.CRITICAL);
      assertThat(d.workspaceId()).isEqualTo(failed.workspaceId());
      assertThat(d.runId()).isEqualTo(run.id());
      assertThat(d.body()).contains(failed.id());
    });
    assertThat(receiver.requests()).singleElement()
        .satisfies(r -> assertThat(r.path()).isEqualTo("/web"));
    JsonNode actions = JSON.readTree(run.actionsJson());
    assertThat(actions).hasSize(1);
    assertThat(actions.get(0).get("name").asText()).isEqualTo("sendAlert");
    assertThat(actions.get(0).get("allowed").asBoolean()).isTrue();
    assertThat(run.status()).isEqualTo(RunStatus.COMPLETED);
    assertThat(run.steps()).isEqualTo(2);
    assertThat(run.summary()).contains("1 sent, 0 refused");
  }

  @Test
  void degradedDeploymentsAndFailedOrOverdueBackupsGetWarnings() {
    var t = fx.tenant("mixed").workspace("web");
    hook(t);
    Deployment degraded = t.deploy("cache", DeploymentStatus.DEGRADED, "7");
    Instant now = Instant.now();
    Deployment failedBackup = backedUp(t, "db", now.minus(Duration.ofHours(1)), "failed");
    Deployment overdue = backedUp(t, "files", now.minus(Duration.ofDays(5)), "ok");
    backedUp(t, "fresh", now.minus(Duration.ofHours(2)), "ok");

    OpsRun run = loop.runOpsCycle(t.id(), Trigger.SCHEDULE);

    assertThat(run.status()).isEqualTo(RunStatus.COMPLETED);
    List<Delivery> deliveries = notify.settled(t.id());
    assertThat(deliveries).extracting(Delivery::severity, Delivery::title).containsExactlyInAnyOrder(
        tuple(Severity.WARNING, "Deployment cache is DEGRADED"),
        tuple(Severity.WARNING, "Backup failed for db"),
        tuple(Severity.WARNING, "Backup overdue for files"));
    assertThat(deliveries).extracting(Delivery::body).anySatisfy(b -> assertThat(b).contains(degraded.id()))
        .anySatisfy(b -> assertThat(b).contains(failedBackup.id()))
        .anySatisfy(b -> assertThat(b).contains(overdue.id()));
  }

  @Test
  void theRulesEngineStaysWithinTheActionBudget() throws Exception {
    var t = fx.tenant("many").workspace("web");
    hook(t);
    for (int i = 0; i < 7; i++) {
      t.deploy("app-" + i, DeploymentStatus.FAILED, "1");
    }

    OpsRun run = loop.runOpsCycle(t.id(), Trigger.SCHEDULE);

    assertThat(notify.settled(t.id())).hasSize(5);
    assertThat(JSON.readTree(run.actionsJson())).hasSize(7);
    assertThat(run.summary()).contains("5 sent, 2 refused", "Action budget of 5");
  }

  private static Deployment backedUp(Fixtures.TenantFixture t, String name, Instant lastBackup,
      String status) {
    Instant now = Instant.now();
    Deployment d = new Deployment(io.opsagent.db.Ids.newId(), t.id(), t.lastWorkspace().id(), name,
        DeploymentStatus.RUNNING, "1", "1", now, "0 3 * * *", lastBackup, status, null, now, now);
    fx.deployments.insert(d);
    return d;
  }
}
