package io.opsagent.agent.tools.investigate;

import io.opsagent.platform.Deployment;
import io.opsagent.platform.DeploymentRepository;
import org.jdbi.v3.core.Jdbi;

/**
 * The tenant scope of every investigation tool: a deployment is looked up among the calling
 * tenant's only, so another tenant's deployment gets exactly the answer of a nonexistent one.
 */
final class Scope {
  private final Jdbi jdbi;
  private final DeploymentRepository deployments;

  Scope(Jdbi jdbi, DeploymentRepository deployments) {
    this.jdbi = jdbi;
    this.deployments = deployments;
  }

  Deployment deployment(String tenantId, String deploymentId) {
    return deployments.find(tenantId, deploymentId)
        .orElseThrow(() -> new IllegalArgumentException("unknown deploymentId '" + deploymentId + "'"));
  }

  Target target(String tenantId, String deploymentId) {
    return Target.of(jdbi, deployment(tenantId, deploymentId));
  }

  Target target(Deployment d) {
    return Target.of(jdbi, d);
  }
}
