package io.opsagent.queue;

import java.util.Map;

/**
 * One job of the deployment queue. Its {@code kind} and {@code params} belong to the platform
 * (deploy, rollback, ...); the queue only stores, runs and retries them.
 */
public record DeploymentJob(String kind, String tenantId, String deploymentId, Map<String, String> params) {
  public DeploymentJob {
    params = params == null ? Map.of() : Map.copyOf(params);
  }
}
