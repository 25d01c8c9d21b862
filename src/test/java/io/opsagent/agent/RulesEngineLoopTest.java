package io.opsagent.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.opsagent.agent.llm.RulesEngine;
import io.opsagent.config.Config;
import io.opsagent.notify.Alert;
import io.opsagent.notify.Severity;
import io.opsagent.platform.Deployment;
import io.opsagent.platform.DeploymentStatus;
import io.opsagent.support.Fixtures;
import io.opsagent.support.TestDatabase;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The same cycle without an API key: the rules engine decides, through the same tools. */
class RulesEngineLoopTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static TestDatabase db;
  static Fixtures fx;

  RecordingNotifier notifier;
  OpsLoop loop;

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
  void buildLoop() {
    notifier = new RecordingNotifier();
    loop = OpsLoop.create(Config.fromEnv(Map.of()), db.database().jdbi(), notifier,
        Guardrails.Check.NONE, CycleHooks.NONE);
  }

  @Test
  void aHealthyTenantIsAllClearWithNoActionsAndTheModelIsRules() {
    var t = fx.tenant("healthy").workspace("web")
        .deployment("api", DeploymentStatus.RUNNING).deployment("off", DeploymentStatus.STOPPED);

    OpsRun run = loop.runOpsCycle(t.id(), Trigger.SCHEDULE);

    assertThat(run.status()).isEqualTo(RunStatus.COMPLETED);
    assertThat(run.summary()).startsWith("All clear");
    assertThat(run.actionsJson()).isEqualTo("[]");
    assertThat(run.model()).isEqualTo(RulesEngine.MODEL_ID);
    assertThat(run.inputTokens()).isZero();
    assertThat(notifier.alerts).isEmpty();
  }

  @Test
  void aFailedDeploymentGetsExactlyOneCriticalAlertToItsWorkspace() throws Exception {
    var t = fx.tenant("failing").workspace("web").deployment("ok", DeploymentStatus.RUNNING);
    Deployment failed = t.deploy("api", DeploymentStatus.FAILED, "2.0");

    OpsRun run = loop.runOpsCycle(t.id(), Trigger.SCHEDULE);

    assertThat(notifier.alerts).singleElement().satisfies(a -> {
      assertThat(a.severity()).isEqualTo(Severity.CRITICAL);
      assertThat(a.workspaceId()).isEqualTo(failed.workspaceId());
      assertThat(a.runId()).isEqualTo(run.id());
      assertThat(a.body()).contains(failed.id());
    });
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
    Deployment degraded = t.deploy("cache", DeploymentStatus.DEGRADED, "7");
    Instant now = Instant.now();
    Deployment failedBackup = backedUp(t, "db", now.minus(Duration.ofHours(1)), "failed");
    Deployment overdue = backedUp(t, "files", now.minus(Duration.ofDays(5)), "ok");
    backedUp(t, "fresh", now.minus(Duration.ofHours(2)), "ok");

    OpsRun run = loop.runOpsCycle(t.id(), Trigger.SCHEDULE);

    assertThat(run.status()).isEqualTo(RunStatus.COMPLETED);
    assertThat(notifier.alerts).extracting(Alert::severity, Alert::title).containsExactlyInAnyOrder(
        tuple(Severity.WARNING, "Deployment cache is DEGRADED"),
        tuple(Severity.WARNING, "Backup failed for db"),
        tuple(Severity.WARNING, "Backup overdue for files"));
    assertThat(notifier.alerts).extracting(Alert::body).anySatisfy(b -> assertThat(b).contains(degraded.id()))
        .anySatisfy(b -> assertThat(b).contains(failedBackup.id()))
        .anySatisfy(b -> assertThat(b).contains(overdue.id()));
  }

  @Test
  void theRulesEngineStaysWithinTheActionBudget() throws Exception {
    var t = fx.tenant("many").workspace("web");
    for (int i = 0; i < 7; i++) {
      t.deploy("app-" + i, DeploymentStatus.FAILED, "1");
    }

    OpsRun run = loop.runOpsCycle(t.id(), Trigger.SCHEDULE);

    assertThat(notifier.alerts).hasSize(5);
    assertThat(JSON.readTree(run.actionsJson())).hasSize(7);
    assertThat(run.summary()).contains("5 sent, 2 refused", "Action budget of 5");
  }

  private static Deployment backedUp(Fixtures.TenantFixture t, String name, Instant lastBackup, String status) {
    Instant now = Instant.now();
    Deployment d = new Deployment(io.opsagent.db.Ids.newId(), t.id(), t.lastWorkspace().id(), name,
        DeploymentStatus.RUNNING, "1", "1", now, "0 3 * * *", lastBackup, status, null, now, now);
    fx.deployments.insert(d);
    return d;
  }
}
