package io.opsagent.agent.guard;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SetArgs;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import io.opsagent.config.Config;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link CooldownStore} on Redis: a claim is {@code SET key 1 NX PX ttl}, so Redis alone decides the
 * single winner across processes and expires the key itself.
 *
 * <p>One shared connection (Lettuce connections are thread-safe), opened on first use so that a
 * worker can start while Redis is down. Every command and connection attempt is bounded by the
 * timeout; while disconnected, commands are rejected at once instead of queued, and Lettuce
 * reconnects in the background, trying at least once a second ({@link #RECONNECT_DELAY}). Any such
 * failure surfaces as {@link CooldownUnavailableException}.
 */
final class RedisCooldownStore implements CooldownStore {
  private static final Logger log = LoggerFactory.getLogger(RedisCooldownStore.class);

  /** What a key without expiry reports: held, for an unbounded time. */
  private static final Duration HELD_FOR_GOOD = Duration.ofDays(36_500);

  /**
   * Between reconnection attempts: 0.1 s doubling up to 1 s, so the store is back within about a
   * second of Redis (Lettuce's default doubles up to 30 s: after a long outage, cooldowns stayed
   * unavailable for up to 30 s after Redis was back).
   */
  static final Delay RECONNECT_DELAY =
      Delay.exponential(Duration.ofMillis(100), Duration.ofSeconds(1), 2, TimeUnit.MILLISECONDS);

  private final ClientResources resources;
  private final RedisClient client;
  private final Config.Cooldowns config;
  private final Object connectLock = new Object();
  private volatile StatefulRedisConnection<String, String> connection;

  RedisCooldownStore(String url, Duration timeout, Config.Cooldowns config) {
    this.config = config;
    RedisURI uri;
    try {
      uri = RedisURI.create(url);
    } catch (IllegalArgumentException e) {
      // no cause: its message would repeat the URL and its password
      throw new IllegalArgumentException("OPSAGENT_REDIS_URL must be a redis:// or rediss:// URL");
    }
    uri.setTimeout(timeout);
    this.resources = DefaultClientResources.builder().reconnectDelay(RECONNECT_DELAY).build();
    this.client = RedisClient.create(resources, uri);
    client.setOptions(ClientOptions.builder()
        .socketOptions(SocketOptions.builder().connectTimeout(timeout).build())
        .timeoutOptions(TimeoutOptions.enabled(timeout))
        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
        .autoReconnect(true)
        .build());
  }

  @Override
  public boolean claimKey(String key, Duration ttl) {
    requirePositive(ttl);
    return call("claim", key, redis -> "OK".equals(redis.set(key, "1", SetArgs.Builder.nx().px(ttl.toMillis()))));
  }

  @Override
  public void releaseKey(String key) {
    call("release", key, redis -> redis.del(key));
  }

  @Override
  public Optional<Duration> remainingOf(String key) {
    // PTTL: -2 no key, -1 no expiry (never written by us; treated as held for good)
    Long millis = call("pttl", key, redis -> redis.pttl(key));
    if (millis == null || millis == -2) {
      return Optional.empty();
    }
    return Optional.of(millis < 0 ? HELD_FOR_GOOD : Duration.ofMillis(millis));
  }

  @Override
  public Duration cooldownOf(String action) {
    return config.of(action, DEFAULT_ACTION_COOLDOWN);
  }

  @Override
  public boolean ping() {
    try {
      return "PONG".equals(call("ping", "-", RedisCommands::ping));
    } catch (CooldownUnavailableException e) {
      return false;
    }
  }

  @Override
  public void close() {
    StatefulRedisConnection<String, String> c = connection;
    if (c != null) {
      c.close();
    }
    client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    resources.shutdown(0, 2, TimeUnit.SECONDS);
  }

  private <T> T call(String op, String key, Function<RedisCommands<String, String>, T> command) {
    try {
      return command.apply(connection().sync());
    } catch (RedisException e) {
      log.warn("cooldowns=redis op={} key={} outcome=unavailable error={}", op, key,
          e.getClass().getSimpleName());
      throw new CooldownUnavailableException(
          "cooldown store (Redis) unavailable: " + e.getClass().getSimpleName(), e);
    }
  }

  private StatefulRedisConnection<String, String> connection() {
    StatefulRedisConnection<String, String> c = connection;
    if (c == null) {
      synchronized (connectLock) {
        if (connection == null) {
          connection = client.connect();
          log.info("cooldowns=redis outcome=connected");
        }
        c = connection;
      }
    }
    return c;
  }

  static void requirePositive(Duration ttl) {
    if (ttl.isNegative() || ttl.isZero() || ttl.toMillis() == 0) {
      throw new IllegalArgumentException("a cooldown lasts at least 1 ms, got " + ttl);
    }
  }
}
