package io.opsagent.platform;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * What is wrong with a deployment's backups, read from its recorded facts: the last backup
 * {@code failed}, or a scheduled backup is {@code overdue} (none recorded within
 * {@link #OVERDUE_AFTER}). One rule for the agent's state document and for incidents.
 */
public final class Backups {
  public static final Duration OVERDUE_AFTER = Duration.ofHours(48);

  private Backups() {}

  /** {@code failed}, {@code overdue}, or empty when the backups are fine (or not scheduled). */
  public static Optional<String> problem(Deployment d, Instant now) {
    if ("failed".equalsIgnoreCase(d.lastBackupStatus())) {
      return Optional.of("failed");
    }
    if (d.backupSchedule() != null
        && (d.lastBackupAt() == null || d.lastBackupAt().isBefore(now.minus(OVERDUE_AFTER)))) {
      return Optional.of("overdue");
    }
    return Optional.empty();
  }
}
