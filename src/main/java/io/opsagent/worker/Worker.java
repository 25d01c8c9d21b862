package io.opsagent.worker;

import io.opsagent.Json;
import io.opsagent.action.ActionRepository;
import io.opsagent.action.PlatformActions;
import io.opsagent.agent.CycleAlreadyRunningException;
import io.opsagent.agent.UnknownTenantException;
import io.opsagent.agent.review.ReviewMemory;
import io.opsagent.agent.run.AuditKeys;
import io.opsagent.agent.run.OpsRun;
import io.opsagent.agent.run.Trigger;
import io.opsagent.api.ApiServer;
import io.opsagent.api.auth.Access;
import io.opsagent.api.auth.KeyRoutes;
import io.opsagent.api.routes.ActionRoutes;
import io.opsagent.api.routes.ChannelRoutes;
import io.opsagent.api.routes.IncidentRoutes;
import io.opsagent.api.routes.InventoryRoutes;
import io.opsagent.api.routes.OpsRoutes;
import io.opsagent.api.routes.PlatformObjectRoutes;
import io.opsagent.api.routes.PlatformRoutes;
import io.opsagent.api.routes.RunQueries;
import io.opsagent.api.routes.RunRoutes;
import io.opsagent.api.routes.SettingsRoutes;
import io.opsagent.api.routes.TenantRoutes;
import io.opsagent.api.routes.TenantStatusQuery;
import io.opsagent.config.Config;
import io.opsagent.db.Ids;
import io.opsagent.db.Retention;
import io.opsagent.platform.Deployment;
import io.opsagent.platform.DeploymentStatus;
import io.opsagent.platform.InventoryReconciler;
import io.opsagent.platform.PlatformObjects;
import io.opsagent.platform.Removals;
import io.opsagent.queue.DeploymentJob;
import io.opsagent.queue.Queues;
import io.opsagent.queue.Wakeup;
import io.opsagent.queue.schedule.CycleRunner;
import io.opsagent.queue.schedule.OpsScheduler;
import io.opsagent.ui.Dashboard;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The composition root of {@code opsagent worker}: migrations, the deployment queue, the ops-agent
 * queue whose handler runs {@code runOpsCycle}, the startup scan of tenants, and the HTTP API.
 *
 * <p>{@link #close()} stops gracefully: the API first (no new triggers), then the queues (a running
 * cycle is given time to finish; one cut short is marked failed by the tenant's next cycle), then
 * the notifier and the stores.
 */
public final class Worker implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Worker.class);

  private final Services services;
  private final OpsScheduler scheduler;
  private final Queues queues;
  private final Wakeup wakeup;
  private final ApiServer api;
  private final String apiToken;
  private final boolean generatedToken;

  private Worker(Services services) {
    this.services = services;
    Config config = services.config();
    CycleMetrics metrics = new CycleMetrics(services.metrics(), services.agent().toolNames());
    QueueLag.register(services.metrics(), services.db().jdbi());
    OpsGauges.register(services.metrics(), services.db().jdbi(), new TenantStatusQuery(services.db().jdbi(),
        config.circuitPause(), services.settings()));
    this.wakeup = new Wakeup(services.db());
    this.scheduler = new OpsScheduler(services.db(), config,
        (tenantId, trigger, runId) -> runCycle(tenantId, trigger, runId, metrics), wakeup);
    this.queues = new Queues(services.db(), config, scheduler.task(),
        this::deploymentJob,
        List.of(new Retention(services.db().jdbi(), config.retention(), Clock.systemUTC(),
            AuditKeys.of(config)).task(),
            services.incidents().reminderTask(), services.incidents().watchdogTask()));
    this.generatedToken = config.apiToken().isEmpty();
    this.apiToken = config.apiToken().orElseGet(Worker::randomToken);
    this.api = config.httpPort() == 0 ? null : buildApi();
  }

  /** Starts everything; the returned worker runs until {@link #close()}. */
  public static Worker start(Config config) {
    return start(config, false);
  }

  /**
   * The original design, for the simulated-day benchmark only: a model review every scheduled
   * cycle (no unchanged-state skip) and the ops queue polling only (no wake-up, no LISTEN).
   */
  static Worker startOriginalDesign(Config config) {
    return start(config, true);
  }

  private static Worker start(Config config, boolean originalDesign) {
    Services services = Services.open(config, originalDesign);
    if (config.secretKey().isEmpty()) {
      log.warn("OPSAGENT_SECRET_KEY is not set: notification channel configuration (webhook URLs, "
          + "signing secrets) is stored in the database in plaintext");
    }
    if (config.auditKey().isEmpty()) {
      log.warn("OPSAGENT_AUDIT_KEY is not set: runs are chained with plain SHA-256, so anyone who can write"
          + " the database can rewrite runs and recompute the chain undetected; set it (base64 of 32 random"
          + " bytes) to chain runs with HMAC-SHA-256 and sign the audit head");
    }
    Worker w = null;
    try {
      w = new Worker(services);
      services.notifier().start();
      if (originalDesign) {
        w.queues.start();
      } else {
        w.queues.start(w.wakeup);
        w.wakeup.start();
      }
      int created = w.scheduler.scanAndRegister();
      if (w.api != null) {
        w.api.start(config.http().bindOr("0.0.0.0"), config.httpPort());
      }
      log.info("worker started decider=\"{}\" schedulesCreated={} httpPort={}", services.decider(), created,
          w.api == null ? "disabled" : w.api.port());
      return w;
    } catch (RuntimeException e) {
      // e.g. the HTTP port is taken: stop the queues already polling, or they would pick cycles
      // (and keep the JVM alive) in a worker that never started
      if (w != null) {
        w.queues.close();
        w.wakeup.close();
      }
      services.close();
      throw e;
    }
  }

  private void deploymentJob(DeploymentJob job) {
    Optional<PlatformActions> actions = services.actions().filter(a -> a.handles(job));
    if (actions.isPresent()) {
      actions.get().handle(job);
    } else {
      log.info("deployment job has no handler in this process job={}", job);
    }
  }

  private CycleRunner.Result runCycle(String tenantId, Trigger trigger, String runId, CycleMetrics metrics) {
    try {
      OpsRun run = services.agent().runOpsCycle(tenantId, trigger, runId);
      metrics.record(run);
    } catch (CycleAlreadyRunningException e) {
      log.info("cycle not run: another process holds this tenant's cycle tenant={} trigger={}",
          tenantId, trigger.wire());
      return CycleRunner.Result.BUSY;
    } catch (UnknownTenantException e) {
      log.warn("tenant no longer exists, removing its schedule tenant={}", tenantId);
      scheduler.removeOpsSchedule(tenantId);
    }
    return CycleRunner.Result.DONE;
  }

  private ApiServer buildApi() {
    var json = Json.MAPPER;
    List<ApiServer.HealthCheck> checks = new ArrayList<>();
    checks.add(new ApiServer.HealthCheck("database", services.db()::isHealthy));
    if (services.config().redisUrl().isPresent()) {
      // without Redis the cooldowns fail closed and the worker keeps working: degraded, still ready
      checks.add(ApiServer.HealthCheck.optional("redis", services.cooldowns()::ping));
    }
    var statuses = new TenantStatusQuery(services.db().jdbi(), services.config().circuitPause(),
        services.settings());
    Access access = Access.of(apiToken, services.db().jdbi(), services.config().http().trustedProxies(),
        Clock.systemUTC());
    var objects = new PlatformObjects(services.db().jdbi(), services.deployments(), this::removed);
    return new ApiServer(access, json, services.metrics(), checks, List.of(
        new KeyRoutes(json, access),
        new PlatformRoutes(json, services.tenants(), services.workspaces(), services.deployments(),
            new PlatformRoutes.PlatformListener() {
              @Override
              public PlatformRoutes.Reaction deploymentStatusChanged(Deployment d, DeploymentStatus s) {
                resolveIncidents(d);
                return Worker.this.deploymentStatusChanged(d, s);
              }

              @Override
              public void deploymentFactsChanged(Deployment d) {
                resolveIncidents(d);
              }
            }).onTenantCreated(services.settings()::initialise).withObjects(objects),
        new PlatformObjectRoutes(json, services.tenants(), services.workspaces(), services.deployments(), objects,
            statuses),
        new InventoryRoutes(json, services.tenants(), new InventoryReconciler(services.db().jdbi(), services.deployments(), this::removed),
            scheduler::ensureOpsSchedule),
        new IncidentRoutes(services.tenants(), services.incidents()),
        new ChannelRoutes(json, services.tenants(), services.workspaces(), services.channels()),
        new RunRoutes(json, services.tenants(), services.runs(), services.notifications(),
            new RunQueries(services.db().jdbi())),
        new TenantRoutes(json, statuses),
        new OpsRoutes(services.tenants(), scheduler, services.runs()),
        new ActionRoutes(services.tenants(), new ActionRepository(services.db().jdbi())),
        new SettingsRoutes(json, services.tenants(), services.settings(), services.killSwitch(),
            new ReviewMemory(services.db().jdbi()), services.config().dailyTokenBudget()),
        new Dashboard(access, services.db().jdbi(), json, statuses, services.runs(), services.tenants(),
            services.deployments(), scheduler, services.killSwitch(), services.incidents(),
            new ActionRepository(services.db().jdbi()), Clock.systemUTC())));
  }

  /**
   * Tenants, workspaces or deployments were deleted (or removed by a reconcile): the agent stops
   * watching them. A removed tenant's schedule goes; removed deployments' open incidents resolve as
   * {@code removed}, so no reminder or watchdog page follows. Their rows are already invisible to
   * state gathering and to code pages; should this fail, a removed tenant's next cycle removes its
   * schedule and the reminder check resolves the incidents.
   */
  private void removed(Removals.Removed r) {
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
      services.incidents().deploymentsRemoved(r.deploymentIds());
    } catch (RuntimeException e) {
      log.warn("incidents of removed deployments not resolved tenant={} error={}", r.tenantId(), e.toString());
    }
  }

  /** The deployment changed: its incidents whose problem is gone are resolved now, each with one notice. */
  private void resolveIncidents(Deployment d) {
    try {
      services.incidents().deploymentChanged(d.id());
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
  private PlatformRoutes.Reaction deploymentStatusChanged(Deployment d, DeploymentStatus status) {
    try {
      services.actions().ifPresent(a -> a.statusChanged(d, status));
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
    boolean paged = pageOnReport(d, status, asked);
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
      services.notifications().relinkRun(d.tenantId(), asked, actual);
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
  private boolean pageOnReport(Deployment d, DeploymentStatus status, String runId) {
    if (!services.config().paging().onReport()) {
      return false;
    }
    try (var tenant = MDC.putCloseable("tenant", d.tenantId()); var run = MDC.putCloseable("run", runId)) {
      return !services.incidents().page(d, status, runId).deliveries().isEmpty();
    } catch (RuntimeException e) {
      // the review and the watchdog page instead
      log.warn("page on report failed; the review and the watchdog page instead tenant={} deployment={} run={} error={}",
          d.tenantId(), d.id(), runId, e.toString());
      return false;
    }
  }

  /** The bearer token, and whether it was generated (then the CLI prints it once). */
  public Optional<String> generatedApiToken() {
    return generatedToken ? Optional.of(apiToken) : Optional.empty();
  }

  /** The routes the HTTP API serves ({@code "GET /path"}); empty when it is disabled. */
  public List<String> apiRoutes() {
    return api == null ? List.of() : api.routes();
  }

  public int httpPort() {
    return api == null ? 0 : api.port();
  }

  public Services services() {
    return services;
  }

  public OpsScheduler scheduler() {
    return scheduler;
  }

  @Override
  public void close() {
    log.info("worker stopping");
    if (api != null) {
      api.close();
    }
    queues.close();
    wakeup.close();
    services.close();
    log.info("worker stopped");
  }

  private static String randomToken() {
    byte[] b = new byte[24];
    new SecureRandom().nextBytes(b);
    return HexFormat.of().formatHex(b);
  }
}
