package io.opsagent.action;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.opsagent.action.ActionJobs.ControlUnavailableException;
import io.opsagent.config.Config;
import io.opsagent.db.Ids;
import io.opsagent.notify.Alert;
import io.opsagent.notify.Notifier;
import io.opsagent.notify.Severity;
import io.opsagent.platform.Deployment;
import io.opsagent.platform.DeploymentStatus;
import io.opsagent.queue.DeploymentJob;
import io.opsagent.queue.Queues;
import io.opsagent.support.Fixtures;
import io.opsagent.support.TestDatabase;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The page for an action that ended {@code failed}, with the job run by hand on PostgreSQL and the
 * alerts caught at the {@link Notifier}: the platform's answer is in it, shortened, on one line,
 * without the control secret or the token in the control URL; the platform being unreachable until
 * the last attempt pages once, on that attempt. (End to end through a webhook: {@link PlatformActionsTest}.)
 */
class FailedActionAlertTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String SECRET = "control-secret-for-tests";
  static final String TOKEN = "sekrit-url-token-123";
  static TestDatabase db;
  static Fixtures fx;
  static FakePlatform platform;

  final List<Alert> sent = new CopyOnWriteArrayList<>();
  final Notifier notifier = alert -> {
    sent.add(alert);
    return List.of();
  };

  @BeforeAll
  static void setUp() {
    db = TestDatabase.create(FailedActionAlertTest.class);
    fx = new Fixtures(db.database());
    platform = new FakePlatform();
  }

  @AfterAll
  static void tearDown() {
    platform.close();
    db.close();
  }

  static Config config(String controlUrl) {
    return Config.fromEnv(Map.of("OPSAGENT_PLATFORM_CONTROL_URL", controlUrl,
        "OPSAGENT_PLATFORM_CONTROL_SECRET", SECRET));
  }

  @Test
  void aRefusalIsPagedWithTheAnswerShortenedOnOneLineAndWithoutTheSecretOrTheUrlToken() throws Exception {
    var t = fx.tenant("refused").workspace("production");
    Deployment d = fx.deployments.create(t.lastWorkspace(), "web", DeploymentStatus.FAILED, "1.0.0");
    String url = platform.url() + "?token=" + TOKEN;
    platform.answerWith(new FakePlatform.Answer(403, "denied:\n  POST " + url + "\n  key " + SECRET
        + " does not match\n" + "z".repeat(2000)));
    try (PlatformActions actions = PlatformActions.create(config(url).actions(), config(url).cooldowns(), db.database(),
        new io.opsagent.action.ActionRepository(db.database().jdbi(), Clock.systemUTC()), new io.opsagent.platform.DeploymentRepository(db.database().jdbi(), Clock.systemUTC()), notifier,
        ActionHolds.NONE, Clock.systemUTC()).orElseThrow()) {
      OpsAction a = queueRestart(actions, t.id(), d);

      actions.handle(send(a));

      OpsAction failed = actions.actions().find(a.id()).orElseThrow();
      assertThat(failed.status()).isEqualTo(ActionStatus.FAILED);
      assertThat(sent).singleElement().satisfies(alert -> {
        assertThat(alert.deploymentId()).isEqualTo(d.id());
        assertThat(alert.workspaceId()).isEqualTo(d.workspaceId());
        assertThat(alert.runId()).isEqualTo(a.runId());
        assertThat(alert.severity()).isEqualTo(Severity.CRITICAL);
        assertThat(alert.title()).isEqualTo("The platform refused the agent's restart of web");
        assertThat(alert.body())
            .contains("HTTP 403: denied: POST [redacted] key [redacted] does not match zzz")
            .doesNotContain(TOKEN).doesNotContain(SECRET).doesNotContain("\n")
            .doesNotContain("z".repeat(ControlClient.MAX_ANSWER));
      });
      assertThat(failed.lastError()).contains("HTTP 403").doesNotContain(TOKEN).doesNotContain(SECRET);
    }
  }

  @Test
  void anUnreachablePlatformIsPagedOnceWhenTheLastAttemptGivesUp() throws Exception {
    var t = fx.tenant("unreachable").workspace("production");
    Deployment d = fx.deployments.create(t.lastWorkspace(), "api", DeploymentStatus.FAILED, "1.0.0");
    String url = "http://127.0.0.1:" + closedPort() + "/control?token=" + TOKEN;
    try (PlatformActions actions = PlatformActions.create(config(url).actions(), config(url).cooldowns(), db.database(),
        new io.opsagent.action.ActionRepository(db.database().jdbi(), Clock.systemUTC()), new io.opsagent.platform.DeploymentRepository(db.database().jdbi(), Clock.systemUTC()), notifier,
        ActionHolds.NONE, Clock.systemUTC()).orElseThrow()) {
      OpsAction a = queueRestart(actions, t.id(), d);

      // as the queue runs the job: each attempt that gets no answer throws, to be retried
      for (int i = 0; i < Queues.DEPLOYMENT_JOB_MAX_RETRIES; i++) {
        assertThatThrownBy(() -> actions.handle(send(a))).isInstanceOf(ControlUnavailableException.class);
      }
      assertThat(sent).isEmpty();
      actions.handle(send(a));

      assertThat(actions.actions().find(a.id()).orElseThrow().status()).isEqualTo(ActionStatus.FAILED);
      int attempts = Queues.DEPLOYMENT_JOB_MAX_RETRIES + 1;
      assertThat(sent).singleElement().satisfies(alert -> {
        assertThat(alert.deploymentId()).isEqualTo(d.id());
        assertThat(alert.title()).isEqualTo("The agent's restart of api failed after " + attempts + " attempts");
        assertThat(alert.body()).contains("gave up after " + attempts + " attempts")
            .contains("ConnectException").doesNotContain(TOKEN);
      });

      // the job run once more (a duplicate delivery of it) neither sends nor pages again
      actions.handle(send(a));
      assertThat(sent).hasSize(1);
    }
  }

  private static OpsAction queueRestart(PlatformActions actions, String tenantId, Deployment d) throws Exception {
    actions.tools().get(0).handler().execute(new io.opsagent.agent.tools.OpsTools.CallContext(tenantId,
        Ids.newId(), "{}"), JSON.readTree("{\"deploymentId\":\"" + d.id() + "\",\"reason\":\"crashed\"}"));
    return actions.actions().list(tenantId, 1).get(0);
  }

  private static DeploymentJob send(OpsAction a) {
    return new DeploymentJob(ActionTools.SEND, a.tenantId(), a.deploymentId(), Map.of("actionId", a.id()));
  }

  private static int closedPort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
