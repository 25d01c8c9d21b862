package io.opsagent.agent.guard;

import static org.assertj.core.api.Assertions.assertThat;

import io.opsagent.config.Config;
import io.opsagent.db.Ids;
import io.opsagent.support.SettableClock;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class InMemoryCooldownStoreTest {
  final SettableClock clock = SettableClock.startingNow();
  final CooldownStore store = CooldownStore.inMemory(
      Config.fromEnv(Map.of("OPSAGENT_ACTION_COOLDOWNS", "restart=PT30M")).cooldowns(), clock);

  @AfterEach
  void close() {
    store.close();
  }

  @Test
  void withoutARedisUrlTheFactoryGivesAWorkingInMemoryStore() {
    try (CooldownStore fallback = CooldownStore.create(Config.fromEnv(Map.of()).cooldowns(), Clock.systemUTC())) {
      assertThat(fallback.ping()).isTrue();
      assertThat(fallback.recordCooldown("d1", "restart")).isTrue();
      assertThat(fallback.recordCooldown("d1", "restart")).isFalse();
    }
  }

  @Test
  void manyThreadsClaimingTheSameCooldownHaveExactlyOneWinner() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      String deployment = Ids.newId();
      CountDownLatch start = new CountDownLatch(1);
      List<Future<Boolean>> claims = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        claims.add(pool.submit(() -> {
          start.await();
          return store.recordCooldown(deployment, "restart");
        }));
      }
      start.countDown();

      List<Boolean> results = new ArrayList<>();
      for (Future<Boolean> claim : claims) {
        results.add(claim.get());
      }
      assertThat(results).containsOnlyOnce(true);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void theTimeLeftCountsDownFromTheConfiguredCooldown() {
    String deployment = Ids.newId();
    assertThat(store.getCooldown(deployment, "restart")).isEmpty();

    assertThat(store.recordCooldown(deployment, "restart")).isTrue();
    assertThat(store.getCooldown(deployment, "restart")).contains(Duration.ofMinutes(30));

    clock.advance(Duration.ofMinutes(10));
    assertThat(store.getCooldown(deployment, "restart")).contains(Duration.ofMinutes(20));
    assertThat(store.recordCooldown(deployment, "restart")).isFalse();
  }

  @Test
  void anExpiredCooldownCanBeClaimedAgain() {
    String deployment = Ids.newId();
    store.recordCooldown(deployment, "restart");

    clock.advance(Duration.ofMinutes(30));

    assertThat(store.getCooldown(deployment, "restart")).isEmpty();
    assertThat(store.recordCooldown(deployment, "restart")).isTrue();
  }

  @Test
  void anActionWithoutAConfiguredCooldownGetsTheDefault() {
    store.recordCooldown("d", "rollback");

    assertThat(store.getCooldown("d", "rollback")).contains(CooldownStore.DEFAULT_ACTION_COOLDOWN);
  }

  @Test
  void claimActionGrantsOnceThenRefusesWithTheTimeLeft() {
    assertThat(store.claimAction("d", "restart"))
        .isEqualTo(new CooldownStore.Claim.Granted(Duration.ofMinutes(30)));

    clock.advance(Duration.ofMinutes(18));

    assertThat(store.claimAction("d", "restart"))
        .isInstanceOfSatisfying(CooldownStore.Claim.OnCooldown.class, refused -> {
          assertThat(refused.remaining()).isEqualTo(Duration.ofMinutes(12));
          assertThat(refused.reason()).isEqualTo("restart of deployment d is on cooldown for another 12m0s");
        });
  }

  @Test
  void manyExpiredClaimsDoNotAccumulate() {
    for (int i = 0; i < 5000; i++) {
      store.claimKey("opsagent:test:" + i, Duration.ofSeconds(1));
      clock.advance(Duration.ofSeconds(1));
    }

    assertThat(((InMemoryCooldownStore) store).size()).isLessThan(1100);
  }
}
