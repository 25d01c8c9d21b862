package io.opsagent.agent.guard;

import io.opsagent.agent.guard.CircuitBreaker.Decision;
import io.opsagent.agent.run.OpsRun;
import io.opsagent.agent.run.RunStatus;
import io.opsagent.incident.Incidents;
import io.opsagent.notify.Alert;
import io.opsagent.notify.Notifier;
import io.opsagent.notify.Severity;
import io.opsagent.platform.Deployment;
import io.opsagent.platform.DeploymentRepository;
import io.opsagent.platform.DeploymentStatus;
import io.opsagent.queue.schedule.Trigger;
import java.util.EnumSet;
import java.util.Optional;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wires the {@link CircuitBreaker} into the loop, and keeps critical alerts flowing when the model
 * cannot be used.
 *
 * <ul>
 *   <li>Before a cycle: while the breaker is open, scheduled cycles become {@code skipped} runs (no
 *       state gathering, no model call) until the pause has passed; then one probe cycle runs. A
 *       manual trigger always probes.
 *   <li>After a completed cycle (normal or probe) the breaker is reset.
 *   <li>After a failed or skipped cycle: first the deterministic fallback alerts {@code critical} on
 *       every FAILED deployment, through the same alert de-duplication as the model's alerts (at most
 *       once per alert window; with incidents wired, once per open incident of the deployment), so
 *       an outage of the model provider never silences a failure; then,
 *       when the breaker has just opened, one {@code warning} alert (tenant-wide channels) says the
 *       agent is paused and why — once per opening, across processes, not once per skipped cycle.
 *       When a cycle completes and closes a breaker whose pause was announced, one {@code info}
 *       notice (tenant-wide channels) says the agent resumed — once per closing, across processes.
 *       Each alert is recorded on its own: one that cannot be recorded is logged and does not keep
 *       the others from going out.
 * </ul>
 */
public final class CircuitBreakerPolicy implements CyclePolicy {
  private static final Logger log = LoggerFactory.getLogger(CircuitBreakerPolicy.class);
  public static final String PAUSE_TITLE = "opsagent paused for this tenant";
  public static final String RESUME_TITLE = "opsagent resumed for this tenant";

  private final CircuitBreaker breaker;
  private final Notifier notifier;
  private final AlertCooldown alertCooldown;
  private final DeploymentRepository deployments;
  private final Incidents incidents;
  private final Predicate<String> silenced;

  public CircuitBreakerPolicy(CircuitBreaker breaker, Notifier notifier, AlertCooldown alertCooldown,
      DeploymentRepository deployments) {
    this(breaker, notifier, alertCooldown, deployments, null, tenantId -> false);
  }

  /**
   * With {@code incidents}, the fallback alerts name their deployment and join its incident;
   * {@code silenced}: tenants (in dry-run) to whose channels nothing at all may go, these notices
   * included.
   */
  public CircuitBreakerPolicy(CircuitBreaker breaker, Notifier notifier, AlertCooldown alertCooldown,
      DeploymentRepository deployments, Incidents incidents, Predicate<String> silenced) {
    this.silenced = silenced;
    this.breaker = breaker;
    this.notifier = notifier;
    this.alertCooldown = alertCooldown;
    this.deployments = deployments;
    this.incidents = incidents;
  }

  @Override
  public Optional<String> skipReason(String tenantId, Trigger trigger) {
    Decision d = breaker.beforeCycle(tenantId, trigger);
    if (d instanceof Decision.Skip skip) {
      return Optional.of(skip.reason());
    }
    if (d instanceof Decision.Probe probe) {
      log.info("circuit breaker probe tenant={} reason=\"{}\"", tenantId, probe.reason());
    }
    return Optional.empty();
  }

  @Override
  public void finished(OpsRun run) {
    if (run.status() == RunStatus.COMPLETED) {
      if (breaker.closeAndShouldAnnounce(run.tenantId()) && !silenced.test(run.tenantId())) {
        send(new Alert(run.tenantId(), null, Severity.INFO, RESUME_TITLE,
            "A cycle of the agent succeeded again, so the agent is no longer paused for this tenant:"
                + " scheduled cycles run as usual. Run: " + run.id(), run.id()));
        log.info("circuit breaker closed tenant={} run={}", run.tenantId(), run.id());
      }
      return;
    }
    if (run.status() != RunStatus.FAILED && run.status() != RunStatus.SKIPPED) {
      return;
    }
    boolean silent = silenced.test(run.tenantId());
    if (!silent) {
      alertFailedDeployments(run);
    }
    // a silenced tenant's opening stays unannounced: switched to live, it gets the pause notice then
    if (!silent && breaker.markOpenedAndShouldAlert(run.tenantId())) {
      String why = run.status() == RunStatus.FAILED && run.error() != null ? run.error() : run.summary();
      send(new Alert(run.tenantId(), null, Severity.WARNING, PAUSE_TITLE,
          "The last " + CircuitBreaker.FAILURES_TO_OPEN + " agent cycles failed, so the agent is"
              + " paused for this tenant: scheduled cycles are skipped until a probe cycle succeeds."
              + " Critical alerts for FAILED deployments continue. Last error: " + why, run.id()));
      log.warn("circuit breaker opened tenant={} run={}", run.tenantId(), run.id());
    }
  }

  private void alertFailedDeployments(OpsRun run) {
    for (Deployment d : deployments.listByTenant(run.tenantId(), EnumSet.of(DeploymentStatus.FAILED))) {
      String title = Deployment.statusAlertTitle(d.name(), DeploymentStatus.FAILED);
      if (incidents != null) {
        raise(new Alert(run.tenantId(), d.workspaceId(), Severity.CRITICAL, title, fallbackBody(d, run),
            run.id(), d.id()));
        continue;
      }
      if (alertCooldown.tryAcquire(run.tenantId(), d.workspaceId(), title)
          && !send(new Alert(run.tenantId(), d.workspaceId(), Severity.CRITICAL, title,
              fallbackBody(d, run), run.id(), d.id()))) {
        alertCooldown.release(run.tenantId(), d.workspaceId(), title); // retried next cycle
      }
    }
  }

  private static String fallbackBody(Deployment d, OpsRun run) {
    return "Deployment " + d.name() + " (" + d.id() + ") is in status FAILED. The agent could not"
        + " review it this cycle (" + run.status().wire() + "); this alert comes from the"
        + " deterministic fallback.";
  }

  /** An alert of a deployment's incident: paged once per incident; a failure is logged, retried next cycle. */
  private void raise(Alert alert) {
    try {
      incidents.alert(alert);
    } catch (RuntimeException e) {
      log.error("fallback alert not recorded tenant={} run={} deployment={} error={}", alert.tenantId(),
          alert.runId(), alert.deploymentId(), e.toString());
    }
  }

  /** One alert's failure to be recorded must not keep the others from going out; false if it failed. */
  private boolean send(Alert alert) {
    try {
      notifier.send(alert);
      return true;
    } catch (RuntimeException e) {
      log.error("fallback alert not recorded tenant={} run={} workspace={} severity={} error={}",
          alert.tenantId(), alert.runId(), alert.workspaceId(), alert.severity().wire(), e.toString());
      return false;
    }
  }
}
