package io.opsagent.agent.tools.investigate;

import com.fasterxml.jackson.databind.JsonNode;
import io.opsagent.agent.llm.RulesEngine;
import io.opsagent.incident.PageEvidence;
import io.opsagent.platform.Deployment;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What this process last saw of each deployment (its health probe's answer, the key line of its
 * logs), kept in memory for the code page: a page must go out at once, so it carries only evidence
 * already at hand — at most {@link #FRESH} old, with its age — and never waits for the network.
 * Bounded to {@link #MAX_ENTRIES} deployments (the least recently seen are dropped).
 */
final class RecentEvidence implements PageEvidence {
  static final Duration FRESH = Duration.ofMinutes(15);
  static final int MAX_ENTRIES = 10_000;

  private record Seen(Instant healthAt, String health, Instant logAt, String logLine) {}

  private final Clock clock;
  private final Map<String, Seen> seen = new LinkedHashMap<>(16, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Seen> eldest) {
      return size() > MAX_ENTRIES;
    }
  };

  RecentEvidence(Clock clock) {
    this.clock = clock;
  }

  synchronized void health(Deployment d, HealthProbe.Result r) {
    if (!r.probed()) {
      return;
    }
    Seen s = seen.get(key(d));
    seen.put(key(d), new Seen(clock.instant(), r.brief(), s == null ? null : s.logAt(), s == null ? null : s.logLine()));
  }

  /** Records the key line of a bounded logs answer ({@link LogsTool#bounded}). */
  synchronized void logs(Deployment d, JsonNode bounded) {
    Optional<String> line = RulesEngine.keyLine(bounded.path("untrustedLines"));
    if (line.isEmpty()) {
      return;
    }
    Seen s = seen.get(key(d));
    seen.put(key(d), new Seen(s == null ? null : s.healthAt(), s == null ? null : s.health(), clock.instant(),
        line.get()));
  }

  @Override
  public synchronized Optional<String> of(Deployment d) {
    Seen s = seen.get(key(d));
    if (s == null) {
      return Optional.empty();
    }
    Instant now = clock.instant();
    StringBuilder out = new StringBuilder();
    if (s.healthAt() != null && s.healthAt().isAfter(now.minus(FRESH))) {
      out.append("health endpoint ").append(s.health()).append(" ").append(age(s.healthAt(), now));
    }
    if (s.logAt() != null && s.logAt().isAfter(now.minus(FRESH))) {
      out.append(out.length() == 0 ? "" : "; ").append("last log line ").append(age(s.logAt(), now))
          .append(": \"").append(s.logLine()).append('"');
    }
    return out.length() == 0 ? Optional.empty() : Optional.of("Seen by opsagent: " + out + ".");
  }

  private static String age(Instant at, Instant now) {
    long minutes = Duration.between(at, now).toMinutes();
    return minutes < 1 ? "(just now)" : "(" + minutes + " min ago)";
  }

  private static String key(Deployment d) {
    return d.tenantId() + ":" + d.id();
  }
}
