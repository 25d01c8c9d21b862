package io.opsagent.agent.guard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.opsagent.config.Config;
import io.opsagent.db.Ids;
import io.opsagent.support.TcpProxy;
import io.opsagent.support.TestRedis;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class RedisCooldownStoreTest {
  static final Config CONFIG = Config.fromEnv(Map.of(
      "OPSAGENT_REDIS_URL", TestRedis.URL,
      "OPSAGENT_ACTION_COOLDOWNS", "restart=PT30M,scale=PT10M"));

  static CooldownStore store;
  static CooldownStore otherProcess;
  static RedisClient inspector;
  static StatefulRedisConnection<String, String> redis;

  @BeforeAll
  static void connect() {
    store = CooldownStore.create(CONFIG.cooldowns(), Clock.systemUTC());
    otherProcess = CooldownStore.create(CONFIG.cooldowns(), Clock.systemUTC());
    inspector = RedisClient.create(TestRedis.URL);
    redis = inspector.connect();
  }

  @AfterAll
  static void disconnect() {
    store.close();
    otherProcess.close();
    redis.close();
    inspector.shutdown();
  }

  @Test
  void twoProcessesClaimingTheSameCooldownAtOnceHaveExactlyOneWinner() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      for (int round = 0; round < 20; round++) {
        String deployment = Ids.newId();
        CountDownLatch start = new CountDownLatch(1);
        Callable<Boolean> first = () -> {
          start.await();
          return store.recordCooldown(deployment, "restart");
        };
        Callable<Boolean> second = () -> {
          start.await();
          return otherProcess.recordCooldown(deployment, "restart");
        };
        Future<Boolean> a = pool.submit(first);
        Future<Boolean> b = pool.submit(second);
        start.countDown();

        assertThat(List.of(a.get(), b.get())).containsExactlyInAnyOrder(true, false);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void theCooldownKeyFollowsTheContractWithTheConfiguredCooldownAsItsTtl() {
    String deployment = Ids.newId();

    assertThat(store.recordCooldown(deployment, "restart")).isTrue();

    String key = "opsagent:cooldown:" + deployment + ":restart";
    assertThat(redis.sync().get(key)).isNotNull();
    assertThat(redis.sync().pttl(key))
        .isLessThanOrEqualTo(Duration.ofMinutes(30).toMillis())
        .isGreaterThan(Duration.ofMinutes(29).toMillis());
    assertThat(store.getCooldown(deployment, "restart")).hasValueSatisfying(left ->
        assertThat(left).isLessThanOrEqualTo(Duration.ofMinutes(30)).isGreaterThan(Duration.ofMinutes(29)));
  }

  @Test
  void anActionWithoutAConfiguredCooldownGetsTheDefault() {
    String deployment = Ids.newId();

    store.recordCooldown(deployment, "rollback");

    assertThat(redis.sync().pttl(CooldownStore.cooldownKey(deployment, "rollback")))
        .isGreaterThan(CooldownStore.DEFAULT_ACTION_COOLDOWN.minusMinutes(1).toMillis());
  }

  @Test
  void anExpiredCooldownCanBeClaimedAgain() {
    String deployment = Ids.newId();
    assertThat(store.claim(deployment, "restart", Duration.ofMillis(300))).isTrue();
    assertThat(otherProcess.claim(deployment, "restart", Duration.ofMillis(300))).isFalse();

    await().atMost(Duration.ofSeconds(10))
        .until(() -> otherProcess.claim(deployment, "restart", Duration.ofMinutes(1)));
    assertThat(store.getCooldown(deployment, "restart")).isPresent();
  }

  @Test
  void cooldownsOfOtherActionsAndDeploymentsAreIndependent() {
    String deployment = Ids.newId();
    store.recordCooldown(deployment, "restart");

    assertThat(store.getCooldown(deployment, "scale")).isEmpty();
    assertThat(store.getCooldown(Ids.newId(), "restart")).isEmpty();
    assertThat(store.recordCooldown(deployment, "scale")).isTrue();
  }

  @Test
  void claimActionGrantsOnceThenRefusesWithTheTimeLeft() {
    String deployment = Ids.newId();

    CooldownStore.Claim first = store.claimAction(deployment, "scale");
    CooldownStore.Claim second = otherProcess.claimAction(deployment, "scale");

    assertThat(first).isEqualTo(new CooldownStore.Claim.Granted(Duration.ofMinutes(10)));
    assertThat(second).isInstanceOfSatisfying(CooldownStore.Claim.OnCooldown.class, refused -> {
      assertThat(refused.remaining()).isPositive().isLessThanOrEqualTo(Duration.ofMinutes(10));
      assertThat(refused.reason()).contains("scale", deployment, "cooldown");
    });
  }

  @Test
  void aStoreCanPingRedis() {
    assertThat(store.ping()).isTrue();
  }

  @Test
  @Timeout(30)
  void unreachableRedisFailsWithTheNamedExceptionInsteadOfHanging() throws IOException {
    Config down = Config.fromEnv(Map.of("OPSAGENT_REDIS_URL", "redis://127.0.0.1:" + closedPort()));
    try (CooldownStore unreachable = CooldownStore.redis(down.cooldowns(), Duration.ofMillis(500))) {
      String deployment = Ids.newId();

      assertThatThrownBy(() -> unreachable.recordCooldown(deployment, "restart"))
          .isInstanceOf(CooldownUnavailableException.class)
          .hasMessageContaining("unavailable")
          .hasMessageNotContaining("127.0.0.1");
      assertThatThrownBy(() -> unreachable.getCooldown(deployment, "restart"))
          .isInstanceOf(CooldownUnavailableException.class);
      assertThat(unreachable.claimAction(deployment, "restart"))
          .isInstanceOfSatisfying(CooldownStore.Claim.Unavailable.class,
              refused -> assertThat(refused.reason()).contains("fail closed"));
      assertThat(unreachable.ping()).isFalse();
    }
  }

  @Test
  @Timeout(60)
  void whenRedisGoesAwayMidRunCallsFailFastAndRecoverWhenItIsBack() throws IOException {
    java.net.URI redisUri = java.net.URI.create(TestRedis.URL);
    try (TcpProxy proxy = new TcpProxy(redisUri.getHost(), redisUri.getPort()).start()) {
      Config viaProxy = Config.fromEnv(Map.of("OPSAGENT_REDIS_URL",
          "redis://127.0.0.1:" + proxy.port() + redisUri.getPath()));
      try (CooldownStore flaky = CooldownStore.redis(viaProxy.cooldowns(), Duration.ofSeconds(1))) {
        String deployment = Ids.newId();
        assertThat(flaky.recordCooldown(deployment, "restart")).isTrue();

        proxy.cut();

        await().atMost(Duration.ofSeconds(10)).until(() -> !flaky.ping());
        assertThat(flaky.claimAction(Ids.newId(), "restart"))
            .isInstanceOf(CooldownStore.Claim.Unavailable.class);
        assertThatThrownBy(() -> flaky.getCooldown(deployment, "restart"))
            .isInstanceOf(CooldownUnavailableException.class);

        proxy.start();

        await().atMost(Duration.ofSeconds(30)).until(flaky::ping);
        assertThat(flaky.recordCooldown(deployment, "restart")).isFalse();
        assertThat(flaky.getCooldown(deployment, "restart")).isPresent();
      }
    }
  }

  /**
   * Issue 10, item 5: after a long outage the store is usable again within about a second of Redis
   * answering. Lettuce's default reconnect delay doubles up to 30 s: 15 failed attempts in, its next
   * attempt comes 16 s or more later.
   */
  @Test
  @Timeout(120)
  void afterALongOutageTheStoreReconnectsWithinAboutASecondOfRedisBeingBack() throws IOException {
    java.net.URI redisUri = java.net.URI.create(TestRedis.URL);
    try (TcpProxy proxy = new TcpProxy(redisUri.getHost(), redisUri.getPort()).start()) {
      Config viaProxy = Config.fromEnv(Map.of("OPSAGENT_REDIS_URL",
          "redis://127.0.0.1:" + proxy.port() + redisUri.getPath()));
      try (CooldownStore flaky = CooldownStore.redis(viaProxy.cooldowns(), Duration.ofSeconds(1))) {
        assertThat(flaky.ping()).isTrue();

        proxy.drop();
        await().atMost(Duration.ofSeconds(90)).until(() -> proxy.dropped() >= 15);
        assertThat(flaky.ping()).isFalse();
        proxy.relay();

        await().atMost(Duration.ofSeconds(3)).until(flaky::ping);
      }
    }
  }

  @Test
  void aMalformedRedisUrlIsRejectedWithoutEchoingIt() {
    Config bad = Config.fromEnv(Map.of("OPSAGENT_REDIS_URL", "http://user:s3cret@host:6379"));

    assertThatThrownBy(() -> CooldownStore.create(bad.cooldowns(), Clock.systemUTC()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("OPSAGENT_REDIS_URL")
        .hasMessageNotContaining("s3cret");
  }

  private static int closedPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
