package io.opsagent.worker;

import io.opsagent.action.PlatformActions;
import io.opsagent.api.routes.PlatformRoutes;
import io.opsagent.db.Ids;
import io.opsagent.incident.Incidents;
import io.opsagent.notify.delivery.NotificationRepository;
import io.opsagent.platform.Deployment;
import io.opsagent.platform.DeploymentStatus;
import io.opsagent.platform.Removals;
import io.opsagent.queue.schedule.OpsScheduler;
import io.opsagent.queue.schedule.Trigger;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * What the worker does when a deployment's reported status or facts change: resolves the incidents
 * whose problem is gone, decides the platform actions awaiting their effect, and for a FAILED or
 * DEGRADED report pages first and queues the tenant's review; and when tenants, workspaces or
 * deployments are removed ({@link Removals}), stops watching them. The change itself is committed
 * before any of this runs; a failure here is logged and answered, never undoes it.
 */
final class DeploymentReactions implements PlatformRoutes.PlatformListener, Removals {
  private static final Logger log = LoggerFactory.getLogger(DeploymentReactions.class);

  private final Optional<PlatformActions> actions;
  private final Incidents incidents;
  private final OpsScheduler scheduler;
  private final NotificationRepository notifications;
  private final boolean pageOnReport;

  /** {@code pageOnReport}: {@code OPSAGENT_PAGE_ON_REPORT}. */
  DeploymentReactions(Optional<PlatformActions> actions, Incidents incidents, OpsScheduler scheduler,
      NotificationRepository notifications, boolean pageOnReport) {
    this.actions = actions;
    this.incidents = incidents;
    this.scheduler = scheduler;
    this.notifications = notifications;
    this.pageOnReport = pageOnReport;
  }

  @Override
  public void deploymentFactsChanged(Deployment d) {
    resolveIncidents(d);
  }

  /**
   * Tenants, workspaces or deployments were deleted (or removed by a reconcile): the agent stops
   * watching them. A removed tenant's schedule goes; removed deployments' open incidents resolve as
   * {@code removed}, so no reminder or watchdog page follows. Their rows are already invisible to
   * state gathering and to code pages; should this fail, a removed tenant's next cycle removes its
   * schedule and the reminder check resolves the incidents.
   */
  @Override
  public void removed(Removals.Removed r) {
    log.info("platform objects removed tenant={} tenantRemoved={} workspaces={} deployments={}", r.tenantId(),
        r.tenantRemoved(), r.workspaceIds().size(), r.deploymentIds().size());
    if (r.tenantRemoved()) {
      try {
        scheduler.removeOpsSchedule(r.tenantId());
      } catch (RuntimeException e) {
        log.warn("schedule of a removed tenant not removed tenant={} error={}", r.tenantId(), e.toString());
      }
    }
    try {
      incidents.deploymentsRemoved(r.deploymentIds());
    } catch (RuntimeException e) {
      log.warn("incidents of removed deployments not resolved tenant={} error={}", r.tenantId(), e.toString());
    }
  }

  /** The deployment changed: its incidents whose problem is gone are resolved now, each with one notice. */
  private void resolveIncidents(Deployment d) {
    try {
      incidents.deploymentChanged(d.id());
    } catch (RuntimeException e) {
      // the change is committed; the reminder check resolves the incident instead of reminding
      log.warn("incidents not resolved tenant={} deployment={} error={}", d.tenantId(), d.id(), e.toString());
    }
  }

  /**
   * A deployment became RUNNING: its tenant gets its schedule at once (unless switched off). One
   * became FAILED or DEGRADED: the tenant's cycle is queued now ({@code event}; pending if one
   * runs), unless the agent is switched off for the tenant, which the answer and the log say.
   */
  @Override
  public PlatformRoutes.Reaction deploymentStatusChanged(Deployment d, DeploymentStatus status) {
    resolveIncidents(d);
    try {
      actions.ifPresent(a -> a.statusChanged(d, status));
    } catch (RuntimeException e) {
      // the verification deadline still decides the action
      log.warn("could not verify actions on a status change tenant={} deployment={} status={} error={}",
          d.tenantId(), d.id(), status, e.toString());
    }
    try {
      return reactTo(d, status);
    } catch (RuntimeException e) {
      // the change itself is committed; the tenant's schedule or next cycle will pick it up
      log.warn("could not react to a deployment status change tenant={} deployment={} status={} error={}",
          d.tenantId(), d.id(), status, e.toString());
      return PlatformRoutes.Reaction.notQueued("the cycle could not be queued ("
          + e.getClass().getSimpleName() + "); the tenant's next scheduled cycle reviews this change");
    }
  }

  private PlatformRoutes.Reaction reactTo(Deployment d, DeploymentStatus status) {
    if (status == DeploymentStatus.RUNNING) {
      scheduler.ensureOpsSchedule(d.tenantId());
      return PlatformRoutes.Reaction.notQueued("no cycle for a RUNNING deployment: the tenant's"
          + " scheduled cycles review it");
    }
    if (status != DeploymentStatus.FAILED && status != DeploymentStatus.DEGRADED) {
      return PlatformRoutes.Reaction.notQueued("no cycle for status " + status.name()
          + ": the tenant's next scheduled cycle reviews it");
    }
    if (!scheduler.schedule(d.tenantId()).enabled()) {
      log.warn("event cycle not queued: the agent is disabled for this tenant tenant={} deployment={} status={}",
          d.tenantId(), d.id(), status);
      return PlatformRoutes.Reaction.notQueued("the agent is disabled for this tenant"
          + " (PUT /api/tenants/{tenantId}/ops/schedule enables it)");
    }
    // the page first, so that no review, however fast its model, pages before code does; it names
    // the review the report asks for, and follows the report into a review already queued
    String asked = Ids.newId();
    boolean paged = pageNow(d, status, asked);
    OpsScheduler.QueuedCycle queued;
    try {
      queued = scheduler.runNow(d.tenantId(), Trigger.EVENT, asked);
    } catch (RuntimeException e) {
      if (paged) {
        relinkPage(d, asked, null, e); // no review follows under that id
      }
      throw e;
    }
    if (paged && !queued.runId().equals(asked)) {
      relinkPage(d, asked, queued.runId(), null); // the report joined a review already queued
    }
    return PlatformRoutes.Reaction.QUEUED;
  }

  /** The page recorded under run {@code asked} names run {@code actual} instead; never throws over {@code cause}. */
  private void relinkPage(Deployment d, String asked, String actual, RuntimeException cause) {
    try {
      notifications.relinkRun(d.tenantId(), asked, actual);
    } catch (RuntimeException e) {
      if (cause != null) {
        cause.addSuppressed(e);
      } else {
        log.warn("page not linked to its review tenant={} deployment={} run={} error={}", d.tenantId(), d.id(),
            actual, e.toString());
      }
    }
  }

  /**
   * Paging is code: a FAILED or DEGRADED report is paged now, whatever the queue is doing (a
   * review running for this tenant, other tenants' reviews ahead of it, a paused circuit breaker),
   * on the deployment's incident, in the rules engine's wording, under the id of the review it
   * queued; the review follows and adds its diagnosis as an update. An incident already paged, or
   * whose page is on its way, is not paged again. {@code OPSAGENT_PAGE_ON_REPORT=false} leaves it to
   * the model (the watchdog still pages). A dry-run tenant's page is logged, recorded nowhere and
   * sent nowhere, as {@link io.opsagent.incident.Incidents#alert} does for every alert. True when
   * it recorded a notice (a page, or a reopened incident's update) under {@code runId}.
   */
  private boolean pageNow(Deployment d, DeploymentStatus status, String runId) {
    if (!pageOnReport) {
      return false;
    }
    try (var tenant = MDC.putCloseable("tenant", d.tenantId()); var run = MDC.putCloseable("run", runId)) {
      return !incidents.page(d, status, runId).deliveries().isEmpty();
    } catch (RuntimeException e) {
      // the review and the watchdog page instead
      log.warn("page on report failed; the review and the watchdog page instead tenant={} deployment={} run={} error={}",
          d.tenantId(), d.id(), runId, e.toString());
      return false;
    }
  }
}
