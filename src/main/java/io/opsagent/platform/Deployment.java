package io.opsagent.platform;

import java.time.Instant;
import org.jdbi.v3.core.mapper.reflect.JdbiConstructor;

/**
 * A deployment as the agent sees it: its status plus what the version checker and the backup job
 * last recorded (null where nothing has been recorded yet). {@code externalId} is the platform's own
 * id for it (optional, unique among the workspace's live deployments); {@code source} says who
 * manages it.
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
    Instant updatedAt,
    String externalId,
    String source) {

  @JdbiConstructor
  public Deployment {}

  /** A deployment of the API's, without an external id. */
  public Deployment(String id, String tenantId, String workspaceId, String name, DeploymentStatus status,
      String version, String latestVersion, Instant versionCheckedAt, String backupSchedule,
      Instant lastBackupAt, String lastBackupStatus, String healthUrl, Instant createdAt, Instant updatedAt) {
    this(id, tenantId, workspaceId, name, status, version, latestVersion, versionCheckedAt, backupSchedule,
        lastBackupAt, lastBackupStatus, healthUrl, createdAt, updatedAt, null, Source.API);
  }

  /**
   * The title of the deterministic alert about a deployment in {@code status} ("Deployment api is
   * FAILED"), the same whoever sends it: the rules engine, the fallback, or the immediate page.
   */
  public static String statusAlertTitle(String name, DeploymentStatus status) {
    return "Deployment " + name + " is " + status.name();
  }

  /**
   * The body of that alert ("Deployment 'api' (id) in workspace 'production' is FAILED. It needs
   * attention: …"), the same whoever sends it.
   */
  public static String statusAlertBody(String name, String id, String workspaceName, DeploymentStatus status) {
    String about = "Deployment '" + name + "' (" + id + ") in workspace '" + workspaceName + "' is " + status.name();
    return status == DeploymentStatus.FAILED
        ? about + ". It needs attention: check its logs, then redeploy or roll back."
        : about + ". Check its health before it fails.";
  }

  public boolean updateAvailable() {
    return latestVersion != null && version != null && !latestVersion.equals(version);
  }
}
