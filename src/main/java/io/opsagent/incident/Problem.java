package io.opsagent.incident;

import io.opsagent.Wire;
import io.opsagent.platform.Backups;
import io.opsagent.platform.Deployment;
import io.opsagent.platform.DeploymentStatus;
import java.time.Instant;
import java.util.Optional;

/**
 * What an incident is about, read by code from the deployment's state when an alert is sent (never
 * from the alert's words): its status first, then its backups.
 */
public enum Problem implements Wire {
  FAILED("failed"),
  DEGRADED("degraded"),
  BACKUP_FAILED("backup_failed"),
  BACKUP_OVERDUE("backup_overdue");

  private final String wire;

  Problem(String wire) {
    this.wire = wire;
  }

  @Override
  public String wire() {
    return wire;
  }

  /** The problem an alert about {@code d} is about now; empty when the deployment has none. */
  public static Optional<Problem> of(Deployment d, Instant now) {
    if (d.status() == DeploymentStatus.FAILED) {
      return Optional.of(FAILED);
    }
    if (d.status() == DeploymentStatus.DEGRADED) {
      return Optional.of(DEGRADED);
    }
    return Backups.problem(d, now).map(p -> p.equals("failed") ? BACKUP_FAILED : BACKUP_OVERDUE);
  }

  /**
   * Whether the problem still holds for {@code d}: {@code failed} ends when the deployment leaves
   * FAILED (to RUNNING, or DEGRADED, which is then its own problem); {@code degraded} ends when it
   * is neither DEGRADED nor FAILED (getting worse does not end it); a backup problem ends with a
   * successful, timely backup.
   */
  public boolean holds(Deployment d, Instant now) {
    return switch (this) {
      case FAILED -> d.status() == DeploymentStatus.FAILED;
      case DEGRADED -> d.status() == DeploymentStatus.DEGRADED || d.status() == DeploymentStatus.FAILED;
      case BACKUP_FAILED -> Backups.problem(d, now).filter("failed"::equals).isPresent();
      case BACKUP_OVERDUE -> Backups.problem(d, now).filter("overdue"::equals).isPresent();
    };
  }

  public static Problem fromWire(String wire) {
    return Wire.parse(Problem.class, wire, "problem");
  }
}
