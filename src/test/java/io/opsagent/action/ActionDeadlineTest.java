package io.opsagent.action;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.opsagent.agent.run.OpsRun;
import io.opsagent.api.ApiClient;
import io.opsagent.config.Config;
import io.opsagent.notify.TestReceiver;
import io.opsagent.notify.delivery.NotificationRepository;
import io.opsagent.platform.Deployment;
import io.opsagent.platform.DeploymentStatus;
import io.opsagent.queue.schedule.Trigger;
import io.opsagent.support.FakeMessagesApi;
import io.opsagent.support.Fixtures;
import io.opsagent.support.TestDatabase;
import io.opsagent.worker.Worker;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The verification deadline and a cluster of two workers: an action the platform answers 503 once
 * reaches it under one id however many workers poll the deployment queue; with no RUNNING event by
 * {@code OPSAGENT_ACTION_VERIFY_TIMEOUT} it is recorded not helped, alerted once, and later cycles
 * do not act on that deployment again.
 */
class ActionDeadlineTest {
  static TestDatabase db;
  static FakeMessagesApi model;
  static FakePlatform platform;
  static TestReceiver alerts;
  static Worker first;
  static Worker second;

  @BeforeAll
  static void startTwoWorkers() throws IOException {
    db = TestDatabase.create(ActionDeadlineTest.class);
    model = FakeMessagesApi.start();
    platform = new FakePlatform();
    alerts = TestReceiver.answering();
    Map<String, String> env = PlatformActionsTest.baseEnv(db, model);
    env.put("OPSAGENT_PLATFORM_CONTROL_URL", platform.url());
    env.put("OPSAGENT_PLATFORM_CONTROL_SECRET", PlatformActionsTest.SECRET);
    env.put("OPSAGENT_ACTION_VERIFY_TIMEOUT", "PT1S");
    first = Worker.start(Config.fromEnv(env));
    env.put("OPSAGENT_HTTP_PORT", Integer.toString(PlatformActionsTest.freePort()));
    second = Worker.start(Config.fromEnv(env));
  }

  @AfterAll
  static void stop() {
    if (second != null) {
      second.close();
    }
    if (first != null) {
      first.close();
    }
    alerts.close();
    platform.close();
    model.close();
    db.close();
  }

  @Test
  void noRunningByTheDeadlineIsNotHelpedAlertedOnceAndNotActedOnAgain() {
    var t = new Fixtures(db.database()).tenant("acme").workspace("production");
    first.scheduler().disable(t.id());
    var api = new ApiClient(first.httpPort(), "token-for-tests");
    api.post("/api/tenants/" + t.id() + "/notification-channels",
        "{\"type\":\"webhook\",\"name\":\"on-call\",\"config\":{\"url\":\"" + alerts.url("/hooks") + "\"}}");
    Deployment web = new Fixtures(db.database()).deployments.create(t.lastWorkspace(), "web",
        DeploymentStatus.FAILED, "1.0.0");
    String restart = "{\"deploymentId\":\"" + web.id() + "\",\"reason\":\"crashed\"}";
    platform.answer(503);
    model.otherwise(model.toolUse(10, 5, "restartDeployment", restart));
    model.then(model.toolUse(10, 5, "restartDeployment", restart)).then(model.text("done", 10, 5));

    first.root().agent().runOpsCycle(t.id(), Trigger.MANUAL);

    ActionRepository repo = first.root().actions().orElseThrow().actions();
    await().atMost(Duration.ofSeconds(30)).until(() ->
        repo.list(t.id(), 1).get(0).status() == ActionStatus.NOT_HELPED);
    OpsAction action = repo.list(t.id(), 1).get(0);
    assertThat(action.lastError()).contains("did not report RUNNING within PT1S");
    assertThat(platform.requests()).hasSize(2)
        .allSatisfy(r -> assertThat(r.header("webhook-id")).isEqualTo(action.id()));

    await().atMost(Duration.ofSeconds(30)).until(() -> alerts.requests().size() == 1);
    JsonNode alert = alerts.requests().get(0).payload();
    assertThat(alert.get("title").asText()).isEqualTo("The agent's restart did not recover web");
    assertThat(new NotificationRepository(db.database().jdbi(), Clock.systemUTC()).listByTenant(t.id(), 10)).hasSize(1);

    for (int i = 0; i < 2; i++) {
      first.root().cooldowns().releaseKey("opsagent:cooldown:" + web.id() + ":restartDeployment");
      OpsRun later = second.root().agent().runOpsCycle(t.id(), Trigger.MANUAL);
      assertThat(later.actionsJson()).contains("locked_out:").doesNotContain("\"allowed\":true");
    }
    assertThat(repo.list(t.id(), 10)).hasSize(1);
    assertThat(platform.requests()).hasSize(2);
  }
}
