package io.opsagent.agent.review;

import io.opsagent.db.Database;
import io.opsagent.db.Times;
import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Jdbi;

/**
 * The state each tenant's last completed review saw ({@code ops_review_state}). No row means "review
 * at the next cycle": a tenant never reviewed, or one whose memory was {@link #forget forgotten}
 * because an alert of it could not be delivered (a failed page must never turn into silence).
 */
public final class ReviewMemory {
  /** The last review: its state hash, the signatures of the events it was shown, when it ran. */
  public record Reviewed(String stateSha256, Set<String> eventSignatures, Instant reviewedAt) {}

  private final Jdbi jdbi;

  public ReviewMemory(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  public Optional<Reviewed> last(String tenantId) {
    return jdbi.withHandle(h -> h.createQuery(
            "SELECT state_sha256, event_signatures, reviewed_at FROM ops_review_state WHERE tenant_id = :t")
        .bind("t", tenantId)
        .map((rs, ctx) -> new Reviewed(rs.getString(1), split(rs.getString(2)),
            Times.instant(rs.getTimestamp(3))))
        .findOne());
  }

  /**
   * Remembers the completed review {@code runId} of {@code fingerprint}, which started at
   * {@code reviewedAt}, unless an alert of that run has already failed for good. A delivery can fail
   * for good while its cycle still runs, and {@link #forget} would then come before this: so the
   * memory is written first and the run's deliveries looked at after, each committed on its own, and
   * a failure committed later is followed by its own {@link #forget}. Either way a failed page leaves
   * no memory behind.
   */
  public void remember(String tenantId, StateFingerprint fingerprint, Instant reviewedAt, String runId) {
    remember(tenantId, fingerprint, reviewedAt);
    jdbi.useHandle(h -> h.createUpdate("""
            DELETE FROM ops_review_state WHERE tenant_id = :t AND EXISTS (
                SELECT 1 FROM notifications n
                WHERE n.tenant_id = :t AND n.run_id = :run AND n.status = 'failed')""")
        .bind("t", tenantId)
        .bind("run", runId)
        .execute());
  }

  /** Remembers a completed review of {@code fingerprint}, which started at {@code reviewedAt}. */
  public void remember(String tenantId, StateFingerprint fingerprint, Instant reviewedAt) {
    String signatures = String.join(",", fingerprint.eventSignatures());
    jdbi.useHandle(h -> h.createUpdate(Database.embedded(h) ? """
            MERGE INTO ops_review_state s
            USING (VALUES (CAST(:t AS VARCHAR(36)))) AS k (tenant_id) ON s.tenant_id = k.tenant_id
            WHEN MATCHED THEN UPDATE SET state_sha256 = :sha, event_signatures = :sig, reviewed_at = :at
            WHEN NOT MATCHED THEN INSERT (tenant_id, state_sha256, event_signatures, reviewed_at)
                VALUES (k.tenant_id, :sha, :sig, :at)""" : """
            INSERT INTO ops_review_state (tenant_id, state_sha256, event_signatures, reviewed_at)
            VALUES (:t, :sha, :sig, :at)
            ON CONFLICT (tenant_id) DO UPDATE SET state_sha256 = EXCLUDED.state_sha256,
                event_signatures = EXCLUDED.event_signatures, reviewed_at = EXCLUDED.reviewed_at""")
        .bind("t", tenantId)
        .bind("sha", fingerprint.stateSha256())
        .bind("sig", signatures)
        .bind("at", reviewedAt)
        .execute());
  }

  /** The next cycle of the tenant reviews, whatever its state. */
  public void forget(String tenantId) {
    jdbi.useHandle(h -> h.createUpdate("DELETE FROM ops_review_state WHERE tenant_id = :t")
        .bind("t", tenantId)
        .execute());
  }

  private static Set<String> split(String s) {
    return s == null || s.isEmpty() ? Set.of()
        : Arrays.stream(s.split(",")).collect(Collectors.toUnmodifiableSet());
  }
}
