package io.opsagent.agent.tools.investigate;

import io.opsagent.platform.Deployment;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/**
 * A deployment to investigate, with the names its placeholders stand for: its workspace's and
 * tenant's names and its {@code externalId} (the platform's own id; null when it has none).
 * Only ever built for a deployment already found in the calling tenant's scope.
 */
record Target(Deployment deployment, String workspace, String tenant, String externalId) {

  /** The value of a placeholder ({@code deployment}, {@code tenantId}, …); empty when the deployment has none. */
  public Optional<String> value(String placeholder) {
    String v = switch (placeholder) {
      case "deployment" -> deployment.name();
      case "deploymentId" -> deployment.id();
      case "workspace" -> workspace;
      case "workspaceId" -> deployment.workspaceId();
      case "tenant" -> tenant;
      case "tenantId" -> deployment.tenantId();
      case "externalId" -> externalId;
      default -> null;
    };
    return Optional.ofNullable(v).filter(s -> !s.isEmpty());
  }

  /**
   * Reads the names of {@code d}'s workspace and tenant, and its external id where the schema has
   * one (read by column name, so this works whether or not that column exists).
   */
  static Target of(Jdbi jdbi, Deployment d) {
    Map<String, Object> row = jdbi.withHandle(h -> h.createQuery("""
            SELECT d.*, w.name AS opsagent_workspace_name, t.name AS opsagent_tenant_name
            FROM deployments d JOIN workspaces w ON w.id = d.workspace_id JOIN tenants t ON t.id = d.tenant_id
            WHERE d.id = :id AND d.tenant_id = :tenantId""")
        .bind("id", d.id()).bind("tenantId", d.tenantId())
        .mapToMap().findOne().orElse(Map.of()));
    return new Target(d, text(row.get("opsagent_workspace_name")), text(row.get("opsagent_tenant_name")),
        text(row.get("external_id")));
  }

  private static String text(Object o) {
    return o == null ? null : o.toString();
  }
}
