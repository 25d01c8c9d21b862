package io.opsagent.agent.guard;

import io.opsagent.config.Config;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@link CooldownStore} for a single process (no {@code OPSAGENT_REDIS_URL}): the same atomic
 * claim-with-expiry semantics as Redis, held in a map. Expired entries are dropped when read and
 * swept every {@value #SWEEP_EVERY} claims, so the map stays as small as the live claims.
 */
final class InMemoryCooldownStore implements CooldownStore {
  private static final int SWEEP_EVERY = 1024;

  private final Map<String, Instant> expiries = new ConcurrentHashMap<>();
  private final AtomicInteger claims = new AtomicInteger();
  private final Config.Cooldowns config;
  private final Clock clock;

  InMemoryCooldownStore(Config.Cooldowns config, Clock clock) {
    this.config = config;
    this.clock = clock;
  }

  @Override
  public boolean claimKey(String key, Duration ttl) {
    RedisCooldownStore.requirePositive(ttl);
    Instant now = clock.instant();
    boolean[] won = {false};
    expiries.compute(key, (k, expiry) -> {
      if (expiry != null && expiry.isAfter(now)) {
        return expiry;
      }
      won[0] = true;
      return now.plus(ttl);
    });
    if (claims.incrementAndGet() % SWEEP_EVERY == 0) {
      expiries.values().removeIf(expiry -> !expiry.isAfter(now));
    }
    return won[0];
  }

  @Override
  public void releaseKey(String key) {
    expiries.remove(key);
  }

  @Override
  public Optional<Duration> remainingOf(String key) {
    Instant now = clock.instant();
    Instant expiry = expiries.get(key);
    if (expiry == null) {
      return Optional.empty();
    }
    if (!expiry.isAfter(now)) {
      expiries.remove(key, expiry);
      return Optional.empty();
    }
    return Optional.of(Duration.between(now, expiry));
  }

  @Override
  public Duration cooldownOf(String action) {
    return config.of(action, DEFAULT_ACTION_COOLDOWN);
  }

  @Override
  public boolean ping() {
    return true;
  }

  /** How many claims are held, expired ones not yet swept included. */
  int size() {
    return expiries.size();
  }

  @Override
  public void close() {
    expiries.clear();
  }
}
