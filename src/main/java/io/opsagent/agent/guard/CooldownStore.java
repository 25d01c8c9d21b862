package io.opsagent.agent.guard;

import io.opsagent.config.Config;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.LoggerFactory;

/**
 * Time-boxed claims shared by every process of opsagent: "was this action performed on this
 * deployment recently?" and "was this alert sent recently?".
 *
 * <p>Guarantees: {@link #claimKey} is atomic — among any number of callers, in any number of
 * processes sharing the store, exactly one gets {@code true} for a key until its TTL has passed; the
 * key then expires by itself and can be claimed again. A claim is never released early: an action
 * that failed after claiming stays on cooldown, so a failing restart is not retried in a loop.
 * Cooldown keys are exactly {@code opsagent:cooldown:{deploymentId}:{action}} with a TTL equal to the
 * action's cooldown ({@code OPSAGENT_ACTION_COOLDOWNS}, {@link #DEFAULT_ACTION_COOLDOWN} otherwise).
 *
 * <p>The Redis store ({@code OPSAGENT_REDIS_URL}) is shared across processes; the in-memory one has
 * the same semantics within one process only. When Redis cannot answer, the claim and read methods
 * throw {@link CooldownUnavailableException}: at once while the connection is known to be down
 * (commands are rejected, not queued), otherwise after at most the timeout;
 * {@link #claimAction} turns that into a {@link Claim.Unavailable} outcome so the gate fails closed,
 * and {@link #ping()} into {@code false}.
 *
 * <p>For the platform actions ({@code restartDeployment}, {@code rollbackDeployment}) this store is
 * the fast path, not the record: their cooldowns are checked against {@code ops_actions} in the
 * database too ({@code io.opsagent.action.ActionLimits}), so keys lost here (Redis flushed or
 * restarted without persistence, a process restart of the in-memory store) never re-open the window.
 */
public sealed interface CooldownStore extends AutoCloseable
    permits RedisCooldownStore, InMemoryCooldownStore {

  /** The cooldown of a mutating action that {@code OPSAGENT_ACTION_COOLDOWNS} does not name. */
  Duration DEFAULT_ACTION_COOLDOWN = Duration.ofMinutes(30);

  /** How long a Redis command (or connection attempt) may take before the store counts as down. */
  Duration DEFAULT_REDIS_TIMEOUT = Duration.ofSeconds(2);

  /** Redis when {@code OPSAGENT_REDIS_URL} is set, otherwise in-memory (logged as a warning). */
  static CooldownStore create(Config.Cooldowns config, Clock clock) {
    if (config.redisUrl().isPresent()) {
      return redis(config, DEFAULT_REDIS_TIMEOUT);
    }
    LoggerFactory.getLogger(CooldownStore.class).warn(
        "cooldowns=in-memory reason=OPSAGENT_REDIS_URL unset: cooldowns hold within this process only;"
            + " run a single worker or set OPSAGENT_REDIS_URL");
    return inMemory(config, clock);
  }

  /** A Redis store on {@code config.redisUrl()}; connects lazily, so it can be built while Redis is down. */
  static CooldownStore redis(Config.Cooldowns config, Duration timeout) {
    String url = config.redisUrl().orElseThrow(
        () -> new IllegalArgumentException("OPSAGENT_REDIS_URL is not set"));
    return new RedisCooldownStore(url, timeout, config);
  }

  static CooldownStore inMemory(Config.Cooldowns config, Clock clock) {
    return new InMemoryCooldownStore(config, clock);
  }

  /** The Redis key of an action's cooldown on a deployment, per the contract. */
  static String cooldownKey(String deploymentId, String action) {
    return "opsagent:cooldown:" + requireText(deploymentId, "deploymentId") + ":"
        + requireText(action, "action");
  }

  /** Claims {@code key} for {@code ttl}; true for exactly one caller until the claim expires. */
  boolean claimKey(String key, Duration ttl);

  /** Gives up a claim early (e.g. an alert that could not be recorded must not block its resend). */
  void releaseKey(String key);

  /** The time left on {@code key}'s claim, empty when it is free. */
  Optional<Duration> remainingOf(String key);

  /** The configured cooldown of {@code action}. */
  Duration cooldownOf(String action);

  /** True when the store answers now; never throws. For {@code /health}. */
  boolean ping();

  @Override
  void close();

  /** The time left before {@code action} may run again on the deployment; empty if it may run now. */
  default Optional<Duration> getCooldown(String deploymentId, String action) {
    return remainingOf(cooldownKey(deploymentId, action));
  }

  /** Atomically starts a cooldown of {@code ttl}; true if this caller got it (nobody else holds it). */
  default boolean claim(String deploymentId, String action, Duration ttl) {
    return claimKey(cooldownKey(deploymentId, action), ttl);
  }

  /** {@link #claim} with the action's configured cooldown. */
  default boolean recordCooldown(String deploymentId, String action) {
    return claim(deploymentId, action, cooldownOf(action));
  }

  /**
   * The gate's helper for a mutating action: claims its cooldown and says whether it may run. Never
   * throws for an unreachable store: that is {@link Claim.Unavailable}, which the gate must treat as
   * a refusal (fail closed) and record with its reason.
   */
  default Claim claimAction(String deploymentId, String action) {
    String key = cooldownKey(deploymentId, action);
    try {
      for (int attempt = 0; attempt < 2; attempt++) {
        Duration ttl = cooldownOf(action);
        if (claimKey(key, ttl)) {
          return new Claim.Granted(ttl);
        }
        Optional<Duration> left = remainingOf(key);
        if (left.isPresent()) {
          return Claim.onCooldown(deploymentId, action, left.get());
        }
        // expired between the claim and the read: try once more
      }
      return new Claim.OnCooldown(Duration.ZERO, action + " of deployment " + deploymentId
          + " is being claimed by another cycle");
    } catch (CooldownUnavailableException e) {
      return new Claim.Unavailable("refused (fail closed): " + e.getMessage());
    }
  }

  /** The outcome of {@link #claimAction}: only {@link Granted} lets the action run. */
  sealed interface Claim {
    /** The cooldown now runs for {@code ttl}; perform the action. */
    record Granted(Duration ttl) implements Claim {}

    /** Performed recently; refuse with {@code reason}. */
    record OnCooldown(Duration remaining, String reason) implements Claim {}

    /** The store could not answer; refuse with {@code reason} (fail closed). */
    record Unavailable(String reason) implements Claim {}

    /**
     * The refusal of {@code action} on the deployment for {@code remaining} more, worded the same
     * wherever the cooldown is found (this store, or the database's record of platform actions).
     */
    static OnCooldown onCooldown(String deploymentId, String action, Duration remaining) {
      return new OnCooldown(remaining, action + " of deployment " + deploymentId
          + " is on cooldown for another " + human(remaining));
    }

    private static String human(Duration d) {
      long s = Math.max(1, (d.toMillis() + 999) / 1000);
      return s >= 3600 ? (s / 3600) + "h" + (s % 3600 / 60) + "m"
          : s >= 60 ? (s / 60) + "m" + (s % 60) + "s" : s + "s";
    }
  }

  private static String requireText(String value, String name) {
    Objects.requireNonNull(value, name);
    if (value.isBlank() || value.contains(" ")) {
      throw new IllegalArgumentException(name + " must be a non-blank token, got '" + value + "'");
    }
    return value;
  }
}
