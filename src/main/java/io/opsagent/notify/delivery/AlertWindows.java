package io.opsagent.notify.delivery;

import io.opsagent.db.Times;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Objects;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;

/**
 * Alert de-duplication windows, kept in the database beside the delivery log ({@code alert_windows}):
 * "the same alert" (tenant + workspace + title, see {@link #alertKey}) is sent at most once per window
 * — as long as it can reach someone.
 *
 * <p>Guarantees: {@link #claim} is atomic across processes ({@code INSERT … ON CONFLICT DO UPDATE …
 * WHERE} on PostgreSQL, {@code MERGE} on the embedded HSQLDB): among concurrent callers exactly one
 * holds a free window. A held window is given back early when the alert cannot reach anyone: nothing
 * was recorded for it ({@link #releaseUnrecorded}: no channel matched, or recording failed), or every
 * delivery recorded since the claim failed for good ({@link #releaseIfNoneLive}). A window whose
 * alert has no delivery pending or delivered is also taken over by a new claim after
 * {@link #STALE_CLAIM}, so a release lost to a crash silences nothing for long.
 */
public final class AlertWindows {
  /** A held window with no live delivery since its claim is free again after this long. */
  static final Duration STALE_CLAIM = Duration.ofMinutes(1);

  /** Live deliveries of window {@code w}: recorded since its claim, delivered or still pending. */
  private static final String LIVE = """
      SELECT 1 FROM notifications n
      WHERE n.tenant_id = w.tenant_id AND n.alert_key = w.alert_key
        AND n.status IN ('pending', 'delivered') AND n.created_at >= w.claimed_at""";

  private final Jdbi jdbi;
  private final Clock clock;
  private volatile Boolean postgres;

  public AlertWindows(Jdbi jdbi, Clock clock) {
    this.clock = clock;
    this.jdbi = Objects.requireNonNull(jdbi, "jdbi");
  }

  /**
   * Which alerts are "the same" within a tenant: {@code {workspaceId or -}:{first 16 hex of
   * sha256(title)}}, the title trimmed, its whitespace collapsed and lower-cased.
   */
  public static String alertKey(String workspaceId, String title) {
    Objects.requireNonNull(title, "title");
    String normalized = title.strip().replaceAll("\\s+", " ").toLowerCase(Locale.ROOT);
    return (workspaceId == null ? "-" : workspaceId) + ":" + sha256(normalized).substring(0, 16);
  }

  /** Claims the alert's window for {@code window}; true if this caller now holds it. */
  public boolean claim(String tenantId, String workspaceId, String title, Duration window) {
    Instant now = Times.current(clock);
    String key = alertKey(workspaceId, title);
    return jdbi.withHandle(h -> {
      var update = h.createUpdate(isPostgres(h) ? """
              INSERT INTO alert_windows AS w (tenant_id, alert_key, claimed_at, expires_at)
              VALUES (:tenantId, :key, :now, :until)
              ON CONFLICT (tenant_id, alert_key) DO UPDATE
                SET claimed_at = EXCLUDED.claimed_at, expires_at = EXCLUDED.expires_at
                WHERE w.expires_at <= :now OR (w.claimed_at <= :stale AND NOT EXISTS (%s))"""
              .formatted(LIVE) : """
              MERGE INTO alert_windows w
              USING (VALUES (CAST(:tenantId AS VARCHAR(36)), CAST(:key AS VARCHAR(100))))
                AS v (tenant_id, alert_key)
              ON w.tenant_id = v.tenant_id AND w.alert_key = v.alert_key
              WHEN MATCHED AND (w.expires_at <= :now OR (w.claimed_at <= :stale AND NOT EXISTS (%s)))
                THEN UPDATE SET claimed_at = :now, expires_at = :until
              WHEN NOT MATCHED THEN INSERT (tenant_id, alert_key, claimed_at, expires_at)
                VALUES (v.tenant_id, v.alert_key, :now, :until)""".formatted(LIVE))
          .bind("tenantId", tenantId)
          .bind("key", key)
          .bind("now", now)
          .bind("until", now.plus(window))
          .bind("stale", now.minus(STALE_CLAIM));
      try {
        return update.execute() == 1;
      } catch (UnableToExecuteStatementException e) {
        if (!isPostgres(h) && e.getCause() instanceof SQLException sql && sql.getSQLState().startsWith("23")) {
          return false; // HSQLDB: a concurrent MERGE inserted the same window first
        }
        throw e;
      }
    });
  }

  /**
   * Gives back the alert's window if nothing recorded since its claim is delivered or pending (the
   * alert matched no channel, or could not be recorded).
   */
  public void releaseUnrecorded(String tenantId, String workspaceId, String title) {
    jdbi.useHandle(h -> h.createUpdate("""
            DELETE FROM alert_windows w
            WHERE w.tenant_id = :tenantId AND w.alert_key = :key AND NOT EXISTS (%s)"""
            .formatted(LIVE))
        .bind("tenantId", tenantId)
        .bind("key", alertKey(workspaceId, title))
        .execute());
  }

  /**
   * A delivery failed for good: gives back the window it was sent under if none of the deliveries
   * recorded since that claim is delivered or pending. A window claimed after the delivery was
   * recorded belongs to a newer alert and is kept.
   */
  void releaseIfNoneLive(String deliveryId) {
    jdbi.useHandle(h -> h.createUpdate("""
            DELETE FROM alert_windows w
            WHERE EXISTS (SELECT 1 FROM notifications d WHERE d.id = :id AND d.tenant_id = w.tenant_id
                            AND d.alert_key = w.alert_key AND d.created_at >= w.claimed_at)
              AND NOT EXISTS (%s)""".formatted(LIVE))
        .bind("id", deliveryId)
        .execute());
  }

  private boolean isPostgres(Handle h) {
    Boolean pg = postgres;
    if (pg == null) {
      try {
        pg = h.getConnection().getMetaData().getDatabaseProductName().toLowerCase(Locale.ROOT)
            .contains("postgres");
      } catch (SQLException e) {
        throw new IllegalStateException("cannot tell the database product", e);
      }
      postgres = pg;
    }
    return pg;
  }

  private static String sha256(String text) {
    try {
      return HexFormat.of().formatHex(
          MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
