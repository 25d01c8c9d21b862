package io.opsagent.api.auth;

import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.internal.AtomicRateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Failed authentications per client address, in this worker process: {@value #FAILURES_PER_MINUTE}
 * a minute, then every request from that address (a right key included, or the throttle would still
 * confirm a right guess) is refused until its minute is over. One Resilience4j {@link RateLimiter}
 * per address, each failure taking a permission; other addresses are never affected. The map is
 * bounded: past {@value #MAX_ADDRESSES} addresses, those idle for a refresh period are dropped
 * (a dropped limiter had its permissions back anyway).
 */
final class AuthThrottle {
  static final int FAILURES_PER_MINUTE = 10;
  static final int MAX_ADDRESSES = 10_000;
  private static final Duration PERIOD = Duration.ofMinutes(1);

  private record Entry(AtomicRateLimiter limiter, Instant lastFailure) {}

  private final RateLimiterConfig config = RateLimiterConfig.custom()
      .limitForPeriod(FAILURES_PER_MINUTE)
      .limitRefreshPeriod(PERIOD)
      .timeoutDuration(Duration.ZERO)
      .build();
  private final Map<String, Entry> limiters = new ConcurrentHashMap<>();
  private final Clock clock;

  public AuthThrottle(Clock clock) {
    this.clock = clock;
  }

  /** How long {@code address} must wait, when it is throttled now. */
  public Optional<Duration> throttled(String address) {
    Entry e = limiters.get(address);
    if (e == null || e.limiter().getMetrics().getAvailablePermissions() > 0) {
      return Optional.empty();
    }
    return Optional.of(wait(e.limiter()));
  }

  /** Counts a failed authentication; how long to wait when that one was over the limit. */
  public Optional<Duration> failed(String address) {
    evictIdle();
    Entry e = limiters.compute(address, (a, old) -> new Entry(
        old == null ? new AtomicRateLimiter("auth-" + a, config) : old.limiter(), clock.instant()));
    return e.limiter().acquirePermission() ? Optional.empty() : Optional.of(wait(e.limiter()));
  }

  private static Duration wait(AtomicRateLimiter limiter) {
    long nanos = Math.max(limiter.getDetailedMetrics().getNanosToWait(), 1);
    return Duration.ofSeconds(Math.max(1, (nanos + 999_999_999L) / 1_000_000_000L));
  }

  private void evictIdle() {
    if (limiters.size() < MAX_ADDRESSES) {
      return;
    }
    Instant idleSince = clock.instant().minus(PERIOD);
    limiters.entrySet().removeIf(en -> en.getValue().lastFailure().isBefore(idleSince));
    if (limiters.size() >= MAX_ADDRESSES) {
      // every address failed within the minute (a spread attack): keep the newest half
      limiters.entrySet().stream().sorted(Map.Entry.comparingByValue(
              java.util.Comparator.comparing(Entry::lastFailure)))
          .limit(MAX_ADDRESSES / 2).map(Map.Entry::getKey).toList().forEach(limiters::remove);
    }
  }
}
