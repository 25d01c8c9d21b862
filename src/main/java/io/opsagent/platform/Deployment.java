package io.opsagent.platform;

import java.time.Instant;

/**
 * A deployment as the agent sees it: its status plus what the version checker and the backup job
 * last recorded (null where nothing has been recorded yet).
 */
public record Deployment(
    String id,
    String tenantId,
    String workspaceId,
    String name,
    DeploymentStatus status,
    String version,
    String latestVersion,
    Instant versionCheckedAt,
    String backupSchedule,
    Instant lastBackupAt,
    String lastBackupStatus,
    String healthUrl,
    Instant createdAt,
    Instant updatedAt) {

  public boolean updateAvailable() {
    return latestVersion != null && version != null && !latestVersion.equals(version);
  }
}
