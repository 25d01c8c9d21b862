package io.opsagent.queue;

/**
 * The platform's code for deployment jobs. It runs on the deployment queue's own threads
 * ({@code OPSAGENT_DEPLOYMENT_CONCURRENCY}), never on the ops-agent queue's; a job that throws is
 * retried with exponential backoff, a few times.
 */
@FunctionalInterface
public interface DeploymentJobHandler {
  void handle(DeploymentJob job) throws Exception;
}
