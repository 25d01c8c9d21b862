package io.opsagent.agent.guard;

import io.opsagent.Json;
import io.opsagent.db.Times;
import io.opsagent.queue.schedule.Trigger;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.Update;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pauses the agent for a tenant whose cycles keep failing, so a broken model provider or a poisoned
 * state is not hammered every five minutes.
 *
 * <p><b>When it is open.</b> The breaker is open when the tenant's last {@value #FAILURES_TO_OPEN}
 * <em>finished, non-skipped</em> runs all failed. Skipped runs are invisible to it: they are neither
 * successes nor failures, so the cycles skipped while it is open can never close it, and a skipped
 * run between two failures does not break the streak. Running rows are not counted either (the
 * current cycle has no outcome yet). Runs finished before the last {@link #resetCircuitBreaker} are
 * ignored, so a reset closes it even without a new run. Everything but the reset and the
 * announcement is derived from {@code ops_agent_runs}, so every process sees the same state and a
 * restart changes nothing.
 *
 * <p><b>Half-open.</b> While open, scheduled and event cycles are skipped until the pause
 * ({@code OPSAGENT_CIRCUIT_PAUSE}) has passed since the latest failure (the opening failure or the
 * last failed probe); then one probe cycle runs. A manual trigger always probes. A probe that
 * succeeds must be followed by {@link #resetCircuitBreaker}; one that fails restarts the pause.
 *
 * <p><b>Announcement.</b> {@link #markOpenedAndShouldAlert} returns true once per opening across all
 * processes and restarts (persisted in {@code ops_circuit_breakers}), so the tenant gets one pause
 * alert, not one per skipped cycle.
 */
public final class CircuitBreaker {
  public static final int FAILURES_TO_OPEN = 3;
  private static final Logger log = LoggerFactory.getLogger(CircuitBreaker.class);

  /** What the loop does with a cycle that is due: {@link Run}, {@link Probe} or {@link Skip}. */
  public sealed interface Decision {
    /** Closed: run normally. */
    record Run() implements Decision {}

    /** Open, but this cycle may test whether the cause is gone; reset on success. */
    record Probe(String reason) implements Decision {}

    /** Open: record a {@code skipped} run with {@code reason}; no model call. */
    record Skip(String reason) implements Decision {}
  }

  private record Streak(boolean open, Instant lastFailureAt, String lastError) {}

  private record Counted(boolean failed, Instant finishedAt, String error) {}

  private final Jdbi jdbi;
  private final Duration pause;
  private final Clock clock;

  /** {@code clock}: the process's clock, of the pause and of the stored failure times. */
  public CircuitBreaker(Jdbi jdbi, Duration pause, Clock clock) {
    this.jdbi = jdbi;
    this.pause = pause;
    this.clock = clock;
  }

  /** True when the tenant's last {@value #FAILURES_TO_OPEN} counted runs all failed. */
  public boolean checkCircuitBreaker(String tenantId) {
    return streak(tenantId).open();
  }

  /** True when the breaker is open and the pause since the latest failure has passed. */
  public boolean allowProbe(String tenantId) {
    Streak s = streak(tenantId);
    return s.open() && !clock.instant().isBefore(s.lastFailureAt().plus(pause));
  }

  /** The pre-cycle hook: run, probe, or skip (with the reason to record in the skipped run). */
  public Decision beforeCycle(String tenantId, Trigger trigger) {
    Streak s = streak(tenantId);
    if (!s.open()) {
      return new Decision.Run();
    }
    Instant probeAt = s.lastFailureAt().plus(pause);
    if (trigger == Trigger.MANUAL) {
      return new Decision.Probe("manual trigger probes the open circuit breaker");
    }
    if (!clock.instant().isBefore(probeAt)) {
      return new Decision.Probe("circuit breaker half-open: pause of " + pause + " has passed");
    }
    return new Decision.Skip("agent paused: the last " + FAILURES_TO_OPEN + " runs failed (last error: "
        + abbreviate(s.lastError()) + "); next probe after " + probeAt + " or on a manual run");
  }

  /**
   * True exactly once per opening, cluster-wide: call it when a run fails or a cycle is skipped,
   * and send the pause alert when it says so. False while closed.
   */
  public boolean markOpenedAndShouldAlert(String tenantId) {
    Streak s = streak(tenantId);
    if (!s.open()) {
      return false;
    }
    Instant now = Times.current(clock);
    boolean first = jdbi.withHandle(h -> {
      Instant lastSuccess = Optional.ofNullable(h.createQuery("""
              SELECT MAX(finished_at) FROM ops_agent_runs
              WHERE tenant_id = :tenantId AND status = 'completed'""")
          .bind("tenantId", tenantId).mapTo(Instant.class).one()).orElse(Instant.EPOCH);
      // a row announced before a later success belongs to an earlier opening: claim it anew
      int claimed = h.createUpdate("""
              UPDATE ops_circuit_breakers SET opened_at = :openedAt, alerted_at = :now, updated_at = :now
              WHERE tenant_id = :tenantId AND (opened_at IS NULL OR opened_at < :lastSuccess)""")
          .bind("tenantId", tenantId).bind("openedAt", s.lastFailureAt()).bind("now", now)
          .bind("lastSuccess", lastSuccess).execute();
      return claimed == 1 || (!rowExists(h, tenantId) && insertOnce(h.createUpdate("""
              INSERT INTO ops_circuit_breakers (tenant_id, opened_at, alerted_at, updated_at)
              VALUES (:tenantId, :openedAt, :now, :now)""")
          .bind("tenantId", tenantId).bind("openedAt", s.lastFailureAt()).bind("now", now)));
    });
    if (first) {
      log.warn("tenant={} circuitBreaker=open failures={} lastError={}", tenantId, FAILURES_TO_OPEN,
          abbreviate(s.lastError()));
    }
    return first;
  }

  /**
   * Closes the breaker like {@link #resetCircuitBreaker}, and says whether to announce it: true
   * exactly once per closing, cluster-wide, and only when the opening was announced (claimed by
   * {@link #markOpenedAndShouldAlert}); false for a breaker that was closed, or opened unannounced.
   */
  public boolean closeAndShouldAnnounce(String tenantId) {
    Instant now = Times.current(clock);
    int claimed = jdbi.withHandle(h -> h.createUpdate("""
            UPDATE ops_circuit_breakers SET reset_at = :now, opened_at = NULL, alerted_at = NULL,
                updated_at = :now
            WHERE tenant_id = :tenantId AND alerted_at IS NOT NULL""")
        .bind("tenantId", tenantId).bind("now", now).execute());
    if (claimed == 1) {
      log.info("tenant={} circuitBreaker=closed announced=true", tenantId);
      return true;
    }
    resetCircuitBreaker(tenantId);
    return false;
  }

  /** Closes the breaker: earlier runs no longer count and the next opening is announced again. */
  public void resetCircuitBreaker(String tenantId) {
    Instant now = Times.current(clock);
    String update = """
        UPDATE ops_circuit_breakers SET reset_at = :now, opened_at = NULL, alerted_at = NULL,
            updated_at = :now
        WHERE tenant_id = :tenantId""";
    jdbi.useHandle(h -> {
      if (h.createUpdate(update).bind("tenantId", tenantId).bind("now", now).execute() == 0
          && !insertOnce(h.createUpdate("""
              INSERT INTO ops_circuit_breakers (tenant_id, reset_at, updated_at)
              VALUES (:tenantId, :now, :now)""").bind("tenantId", tenantId).bind("now", now))) {
        h.createUpdate(update).bind("tenantId", tenantId).bind("now", now).execute();
      }
    });
  }

  private Streak streak(String tenantId) {
    List<Counted> runs = jdbi.withHandle(h -> h.createQuery("""
            SELECT r.status, r.finished_at, r.error FROM ops_agent_runs r
            WHERE r.tenant_id = :tenantId AND r.status IN ('completed', 'failed')
              AND NOT EXISTS (SELECT 1 FROM ops_circuit_breakers b
                              WHERE b.tenant_id = r.tenant_id AND b.reset_at >= r.finished_at)
            ORDER BY r.started_at DESC, r.id DESC
            LIMIT :limit""")
        .bind("tenantId", tenantId)
        .bind("limit", FAILURES_TO_OPEN)
        .map((rs, ctx) -> new Counted("failed".equals(rs.getString("status")),
            rs.getTimestamp("finished_at").toInstant(), rs.getString("error")))
        .list());
    boolean open = runs.size() == FAILURES_TO_OPEN && runs.stream().allMatch(Counted::failed);
    if (!open) {
      return new Streak(false, null, null);
    }
    Instant latest = runs.stream().map(Counted::finishedAt).max(Instant::compareTo).orElseThrow();
    return new Streak(true, latest, runs.get(0).error());
  }

  private static boolean rowExists(Handle h, String tenantId) {
    return h.createQuery("SELECT COUNT(*) FROM ops_circuit_breakers WHERE tenant_id = :tenantId")
        .bind("tenantId", tenantId).mapTo(Integer.class).one() > 0;
  }

  /** Inserts the tenant's row; false if another process inserted it first. */
  private static boolean insertOnce(Update insert) {
    try {
      insert.execute();
      return true;
    } catch (RuntimeException e) {
      if (isUniqueViolation(e)) {
        return false;
      }
      throw e;
    }
  }

  private static boolean isUniqueViolation(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException sql && "23505".equals(sql.getSQLState())) {
        return true;
      }
    }
    return false;
  }

  private static String abbreviate(String error) {
    if (error == null || error.isBlank()) {
      return "none recorded";
    }
    return Json.truncate(error, 200);
  }
}
