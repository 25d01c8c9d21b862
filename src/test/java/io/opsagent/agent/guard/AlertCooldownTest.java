package io.opsagent.agent.guard;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.opsagent.config.Config;
import io.opsagent.db.Ids;
import io.opsagent.platform.Deployment;
import io.opsagent.support.SettableClock;
import io.opsagent.support.TestRedis;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class AlertCooldownTest {
  static final Config CONFIG = Config.fromEnv(Map.of(
      "OPSAGENT_REDIS_URL", TestRedis.URL, "OPSAGENT_ALERT_COOLDOWN", "PT1H"));

  static CooldownStore store;
  static CooldownStore otherProcessStore;
  static AlertCooldown alerts;
  static AlertCooldown otherProcess;

  final String tenant = Ids.newId();
  final String workspace = Ids.newId();

  @BeforeAll
  static void connect() {
    store = CooldownStore.create(CONFIG);
    otherProcessStore = CooldownStore.create(CONFIG);
    alerts = new AlertCooldown(store, CONFIG);
    otherProcess = new AlertCooldown(otherProcessStore, CONFIG);
  }

  @AfterAll
  static void disconnect() {
    store.close();
    otherProcessStore.close();
  }

  @Test
  void theSameAlertTwiceWithinTheWindowIsSentOnceEvenFromAnotherProcess() {
    assertThat(alerts.tryAcquire(tenant, workspace, "Deployment api FAILED")).isTrue();

    assertThat(alerts.tryAcquire(tenant, workspace, "Deployment api FAILED")).isFalse();
    assertThat(otherProcess.tryAcquire(tenant, workspace, "Deployment api FAILED")).isFalse();
  }

  @Test
  void anAlertThatCouldNotBeRecordedGivesItsWindowBackSoARetryGoesOut() {
    assertThat(alerts.tryAcquire(tenant, workspace, "Deployment db FAILED")).isTrue();

    alerts.release(tenant, workspace, "Deployment db FAILED");

    assertThat(otherProcess.tryAcquire(tenant, workspace, "Deployment db FAILED")).isTrue();
    assertThat(alerts.tryAcquire(tenant, workspace, "Deployment db FAILED")).isFalse();
  }

  @Test
  void titlesDifferingOnlyInCaseOrSpacingAreTheSameAlert() {
    alerts.tryAcquire(tenant, workspace, "Deployment api FAILED");

    assertThat(alerts.tryAcquire(tenant, workspace, "  deployment   API failed ")).isFalse();
  }

  @Test
  void anotherWorkspaceTenantOrTitleIsAnotherAlert() {
    alerts.tryAcquire(tenant, workspace, "Deployment api FAILED");

    assertThat(alerts.tryAcquire(tenant, Ids.newId(), "Deployment api FAILED")).isTrue();
    assertThat(alerts.tryAcquire(tenant, null, "Deployment api FAILED")).isTrue();
    assertThat(alerts.tryAcquire(Ids.newId(), workspace, "Deployment api FAILED")).isTrue();
    assertThat(alerts.tryAcquire(tenant, workspace, "Deployment web FAILED")).isTrue();
  }

  @Test
  void theWindowIsTheConfiguredAlertCooldownOnAKeyScopedToTenantAndWorkspace() {
    alerts.tryAcquire(tenant, workspace, "Backup overdue");

    RedisClient inspector = RedisClient.create(TestRedis.URL);
    try (StatefulRedisConnection<String, String> redis = inspector.connect()) {
      String key = AlertCooldown.key(tenant, workspace, "Backup overdue");
      assertThat(key).matches("opsagent:alert:" + tenant + ":" + workspace + ":[0-9a-f]{16}");
      assertThat(redis.sync().pttl(key))
          .isLessThanOrEqualTo(Duration.ofHours(1).toMillis())
          .isGreaterThan(Duration.ofMinutes(59).toMillis());
    } finally {
      inspector.shutdown();
    }
  }

  @Test
  void afterTheWindowTheAlertIsSentAgain() {
    SettableClock clock = SettableClock.startingNow();
    try (CooldownStore memory = CooldownStore.inMemory(CONFIG, clock)) {
      AlertCooldown local = new AlertCooldown(memory, Duration.ofHours(1));
      assertThat(local.tryAcquire(tenant, workspace, "Deployment api FAILED")).isTrue();

      clock.advance(Duration.ofMinutes(59));
      assertThat(local.tryAcquire(tenant, workspace, "Deployment api FAILED")).isFalse();

      clock.advance(Duration.ofMinutes(1));
      assertThat(local.tryAcquire(tenant, workspace, "Deployment api FAILED")).isTrue();
    }
  }

  @Test
  void whenTheStoreIsUnreachableAlertsStillGoOut() throws IOException {
    int closed;
    try (ServerSocket socket = new ServerSocket(0)) {
      closed = socket.getLocalPort();
    }
    Config down = Config.fromEnv(Map.of("OPSAGENT_REDIS_URL", "redis://127.0.0.1:" + closed));
    try (CooldownStore unreachable = CooldownStore.redis(down, Duration.ofMillis(500))) {
      AlertCooldown failOpen = new AlertCooldown(unreachable, down);

      assertThat(failOpen.tryAcquire(tenant, workspace, "Deployment api FAILED")).isTrue();
      assertThat(failOpen.tryAcquire(tenant, workspace, "Deployment api FAILED")).isTrue();
    }
  }
}
