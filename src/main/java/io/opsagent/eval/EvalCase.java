package io.opsagent.eval;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * One scripted incident: the tenant's state to seed, what the investigation tools would answer, and
 * what a good on-call decision is. Read by {@link CaseLoader} from one JSON or YAML file; times are
 * given as how long ago ({@code ago}, an ISO-8601 duration), so a case means the same on every run.
 *
 * <p>Free text (event messages, expected words) may name seeded objects with placeholders, replaced
 * at seeding time: {@code ${tenant}}, {@code ${tenant:NAME}} (one of {@link #otherTenants}),
 * {@code ${workspace:NAME}} and {@code ${deployment:NAME}}.
 */
public record EvalCase(String name, String source, String kind, String description,
    List<WorkspaceSeed> workspaces, boolean channel, List<String> otherTenants,
    Map<String, Object> toolAnswers, Expectation expect) {

  /** A workspace and its deployments. */
  public record WorkspaceSeed(String name, List<DeploymentSeed> deployments) {}

  /**
   * A deployment as it was {@code age} ago, before its {@code events} (in order) moved it; backup
   * facts as the backup job last recorded them.
   */
  public record DeploymentSeed(String name, String status, String version, String latestVersion,
      Duration age, String backupSchedule, Duration lastBackupAgo, String lastBackupStatus,
      List<EventSeed> events) {}

  /** A reported event: {@code status} moves the deployment, {@code version} changes its version. */
  public record EventSeed(String type, String status, String version, String message, Duration ago) {}

  /** The expected decision; null fields are not checked. */
  public record Expectation(boolean page, String severity, String action, String toVersion,
      String deployment, int maxActions, List<String> forbid, List<String> pageContains,
      List<String> pageExcludes, List<String> summaryContains, List<String> summaryExcludes) {
  }

  /** The investigation tools this case needs answered ({@code getDeploymentLogs}, ...). */
  public List<String> toolsNeeded() {
    return toolAnswers.keySet().stream().sorted().toList();
  }
}
