package io.opsagent.action;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.opsagent.agent.guard.ActionGate;
import io.opsagent.agent.tools.ActionClass;
import io.opsagent.agent.tools.OpsTools;
import io.opsagent.config.Config;
import io.opsagent.db.Ids;
import io.opsagent.notify.Alert;
import io.opsagent.notify.Notifier;
import io.opsagent.platform.Deployment;
import io.opsagent.platform.DeploymentStatus;
import io.opsagent.queue.DeploymentJob;
import io.opsagent.support.Fixtures;
import io.opsagent.support.SettableClock;
import io.opsagent.support.TestDatabase;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The parts of actions that need a hand on the clock or on the holds, on PostgreSQL: the lockout
 * lifts only after an hour of RUNNING, a held-back action is cancelled and never sent, and the
 * version history the rollback check and {@code getDeploymentHistory} read.
 */
class ActionLimitsTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static TestDatabase db;
  static Fixtures fx;
  static FakePlatform platform;

  @BeforeAll
  static void setUp() {
    db = TestDatabase.create(ActionLimitsTest.class);
    fx = new Fixtures(db.database());
    platform = new FakePlatform();
  }

  @AfterAll
  static void tearDown() {
    platform.close();
    db.close();
  }

  static Config config() {
    return Config.fromEnv(Map.of("OPSAGENT_PLATFORM_CONTROL_URL", platform.url(),
        "OPSAGENT_PLATFORM_CONTROL_SECRET", "s3cret"));
  }

  @Test
  void aLockoutLiftsOnlyAfterTheDeploymentRanForAnHour() {
    var t = fx.tenant("acme").workspace("production");
    Deployment d = fx.deployments.create(t.lastWorkspace(), "web", DeploymentStatus.FAILED, "1.0.0");
    ActionRepository repo = new ActionRepository(db.database().jdbi(), Clock.systemUTC());
    Instant now = Instant.now();
    OpsAction a = new OpsAction(Ids.newId(), t.id(), d.workspaceId(), d.id(), ActionKind.RESTART, null,
        "crashed", Ids.newId(), ActionStatus.QUEUED, 0, null, now.minusSeconds(120), null, null);
    db.database().jdbi().useTransaction(h -> {
      repo.insert(h, a);
      repo.markSent(h, a.id(), now.minusSeconds(110));
    });
    repo.finish(a.id(), ActionStatus.SENT, ActionStatus.NOT_HELPED, "FAILED after it", now.minusSeconds(60));
    fx.deployments.recordEvent(d, "recovered", DeploymentStatus.RUNNING, null);
    SettableClock clock = new SettableClock(now);
    ActionLimits limits = new ActionLimits(repo, fx.deployments, config().actions(), config().cooldowns(), clock);
    ActionGate.Call restart = new ActionGate.Call(t.id(), Ids.newId(), "restartDeployment",
        ActionClass.MUTATING, JSON.createObjectNode().put("deploymentId", d.id()).put("reason", "again"));

    clock.set(now.plus(Duration.ofMinutes(30)));
    assertThat(limits.refusal(restart)).hasValueSatisfying(r -> {
      assertThat(r.message()).startsWith("locked_out:");
      assertThat(r.reason()).isEqualTo(io.opsagent.agent.tools.RefusalReason.LOCKED_OUT);
    });

    clock.set(now.plus(Duration.ofMinutes(61)));
    assertThat(limits.refusal(restart)).isEmpty();
  }

  @Test
  void aHeldActionIsCancelledBeforeSendingAndNeverReachesThePlatform() throws Exception {
    var t = fx.tenant("held").workspace("production");
    Deployment d = fx.deployments.create(t.lastWorkspace(), "web", DeploymentStatus.FAILED, "1.0.0");
    List<Alert> sent = new java.util.ArrayList<>();
    Notifier notifier = alert -> {
      sent.add(alert);
      return List.of();
    };
    try (PlatformActions actions = PlatformActions.create(config().actions(), config().cooldowns(), db.database(),
        new io.opsagent.action.ActionRepository(db.database().jdbi(), Clock.systemUTC()), new io.opsagent.platform.DeploymentRepository(db.database().jdbi(), Clock.systemUTC()), notifier,
        tenantId -> Optional.of("the kill switch is engaged"), java.time.Clock.systemUTC()).orElseThrow()) {
      OpsTools.Definition restart = actions.tools().get(0);
      restart.handler().execute(new OpsTools.CallContext(t.id(), Ids.newId(), "{}"),
          JSON.readTree("{\"deploymentId\":\"" + d.id() + "\",\"reason\":\"crashed\"}"));
      OpsAction queued = actions.actions().list(t.id(), 1).get(0);
      assertThat(queued.status()).isEqualTo(ActionStatus.QUEUED);

      actions.handle(new DeploymentJob(ActionTools.SEND, t.id(), d.id(), Map.of("actionId", queued.id())));

      OpsAction cancelled = actions.actions().find(queued.id()).orElseThrow();
      assertThat(cancelled.status()).isEqualTo(ActionStatus.CANCELLED);
      assertThat(cancelled.lastError()).contains("kill switch");
      assertThat(platform.requestsFor(d.id())).isEmpty();
      assertThat(sent).as("an action held back is not paged").isEmpty();
    }
  }

  @Test
  void versionChangesBecomeHistoryThatTheHistoryToolShows() throws Exception {
    var t = fx.tenant("history").workspace("production");
    Deployment d = fx.deployments.create(t.lastWorkspace(), "shop", DeploymentStatus.RUNNING, "1.0.0");
    Deployment moved = fx.deployments.updateFacts(d, new Deployment(d.id(), d.tenantId(), d.workspaceId(),
        d.name(), d.status(), "1.1.0", null, null, null, null, null, null, d.createdAt(), d.updatedAt()));
    fx.deployments.recordEvent(moved, "deployed", DeploymentStatus.FAILED, "crash loop", "1.2.0");

    String out = HistoryTool.definition(db.database().jdbi(), fx.deployments).handler().execute(
        new OpsTools.CallContext(t.id(), Ids.newId(), "{}"),
        JSON.readTree("{\"deploymentId\":\"" + d.id() + "\"}"));

    JsonNode history = JSON.readTree(out);
    assertThat(history.get("version").asText()).isEqualTo("1.2.0");
    assertThat(history.get("events").get(0).get("version").asText()).isEqualTo("1.2.0");
    assertThat(history.get("events").get(0).get("previousVersion").asText()).isEqualTo("1.1.0");
    assertThat(history.get("events").get(0).get("status").asText()).isEqualTo("FAILED");
    assertThat(history.get("versionsRun")).extracting(JsonNode::asText)
        .containsExactlyInAnyOrder("1.2.0", "1.1.0", "1.0.0");
    ActionRepository repo = new ActionRepository(db.database().jdbi(), Clock.systemUTC());
    assertThat(repo.hasRun(d.id(), "1.0.0")).isTrue();
    assertThat(repo.hasRun(d.id(), "0.9.0")).isFalse();
  }
}
