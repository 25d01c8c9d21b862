package io.opsagent.trust;

import io.opsagent.db.Times;
import java.time.Clock;
import java.time.Instant;
import org.jdbi.v3.core.Jdbi;

/**
 * The cluster-wide kill switch, stored in the database ({@code ops_kill_switch}), so every worker
 * sees it before its next model call. While it is engaged no model call leaves any worker: cycles
 * run on the rules engine ({@code fallbackReason: kill_switch}), which only alerts, so critical
 * alerts keep flowing; a cycle that is mid-way stops before its next model call, and no mutating
 * tool call executes.
 */
public final class KillSwitch {
  public static final int MAX_REASON = 500;

  /** The switch as shown by the API and the CLI; {@code reason} and {@code since} are null when released. */
  public record State(boolean engaged, String reason, Instant since) {}

  private final Jdbi jdbi;
  private final Clock clock;

  public KillSwitch(Jdbi jdbi, Clock clock) {
    this.clock = clock;
    this.jdbi = jdbi;
  }

  public State state() {
    return jdbi.withHandle(h -> h.createQuery("SELECT engaged, reason, since FROM ops_kill_switch WHERE id = 1")
        .map((rs, ctx) -> rs.getBoolean("engaged")
            ? new State(true, rs.getString("reason"), Times.instant(rs.getTimestamp("since")))
            : new State(false, null, null))
        .findOne()
        .orElse(new State(false, null, null)));
  }

  public boolean engaged() {
    return state().engaged();
  }

  /** Engages the switch (or updates the reason of an engaged one, keeping when it was engaged). */
  public State engage(String reason) {
    if (reason != null && reason.length() > MAX_REASON) {
      throw new IllegalArgumentException("reason must be at most " + MAX_REASON + " characters");
    }
    jdbi.useHandle(h -> h.createUpdate("""
            UPDATE ops_kill_switch SET reason = :reason,
                since = CASE WHEN engaged THEN since ELSE :now END, engaged = TRUE
            WHERE id = 1""")
        .bind("reason", reason)
        .bind("now", Times.current(clock))
        .execute());
    return state();
  }

  public State release() {
    jdbi.useHandle(h -> h.createUpdate(
        "UPDATE ops_kill_switch SET engaged = FALSE, reason = NULL, since = NULL WHERE id = 1").execute());
    return state();
  }
}
