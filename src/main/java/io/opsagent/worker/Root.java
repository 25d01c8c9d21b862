package io.opsagent.worker;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.opsagent.Json;
import io.opsagent.action.ActionHolds;
import io.opsagent.action.ActionRepository;
import io.opsagent.action.HistoryTool;
import io.opsagent.action.PlatformActions;
import io.opsagent.agent.OpsAgent;
import io.opsagent.agent.cycle.StateGatherer;
import io.opsagent.agent.cycle.TenantCycleLock;
import io.opsagent.agent.guard.ActionGate;
import io.opsagent.agent.guard.CooldownStore;
import io.opsagent.agent.guard.Guardrails;
import io.opsagent.agent.guard.TokenBudget;
import io.opsagent.agent.llm.MeteredModelClient;
import io.opsagent.agent.llm.ModelClient;
import io.opsagent.agent.llm.RulesEngine;
import io.opsagent.agent.review.ReviewMemory;
import io.opsagent.agent.run.AuditKeys;
import io.opsagent.agent.run.Retention;
import io.opsagent.agent.run.RunRepository;
import io.opsagent.agent.tools.OpsTools;
import io.opsagent.api.ApiServer;
import io.opsagent.api.alertmanager.AlertmanagerRoutes;
import io.opsagent.api.auth.Access;
import io.opsagent.api.auth.KeyRoutes;
import io.opsagent.agent.tools.investigate.Investigation;
import io.opsagent.api.routes.ActionRoutes;
import io.opsagent.api.routes.ChannelRoutes;
import io.opsagent.api.routes.IncidentRoutes;
import io.opsagent.api.routes.InventoryRoutes;
import io.opsagent.api.routes.OpsRoutes;
import io.opsagent.api.routes.PlatformObjectRoutes;
import io.opsagent.api.routes.DeploymentEvents;
import io.opsagent.api.routes.PlatformRoutes;
import io.opsagent.api.routes.RunQueries;
import io.opsagent.api.routes.RunRoutes;
import io.opsagent.api.routes.SettingsRoutes;
import io.opsagent.api.routes.TenantRoutes;
import io.opsagent.api.routes.TenantStatusQuery;
import io.opsagent.config.Config;
import io.opsagent.config.HumanDurations;
import io.opsagent.db.Database;
import io.opsagent.db.SecretBox;
import io.opsagent.incident.Incidents;
import io.opsagent.notify.Alert;
import io.opsagent.notify.NotificationChannelRepository;
import io.opsagent.notify.Notifier;
import io.opsagent.notify.delivery.DeliveryNotifier;
import io.opsagent.notify.delivery.NotificationRepository;
import io.opsagent.platform.DeploymentRepository;
import io.opsagent.platform.InventoryReconciler;
import io.opsagent.platform.PlatformObjects;
import io.opsagent.platform.TenantRepository;
import io.opsagent.platform.WorkspaceRepository;
import io.opsagent.queue.DeploymentJob;
import io.opsagent.queue.Queues;
import io.opsagent.queue.Wakeup;
import io.opsagent.queue.schedule.OpsScheduler;
import io.opsagent.trust.KillSwitch;
import io.opsagent.trust.Mode;
import io.opsagent.trust.TenantSettings;
import io.opsagent.ui.Dashboard;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composition root of every command that runs the agent ({@code worker}, {@code demo},
 * {@code cycle}, {@code audit}): it builds each long-lived object exactly once, in dependency order,
 * and hands each only what it uses through its constructor; nothing below it looks anything up. One
 * {@link Clock} is the time of the whole process. {@link #worker} adds the worker's queues,
 * scheduler and HTTP API on top. Closing it closes what it opened, in reverse.
 */
public final class Root implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Root.class);

  private final Config config;
  private final Clock clock;
  private final Database db;
  private final AuditKeys auditKeys;
  private final PrometheusMeterRegistry metrics;
  private final RuntimeMetrics runtimeMetrics;
  private final TenantRepository tenants;
  private final WorkspaceRepository workspaces;
  private final DeploymentRepository deployments;
  private final RunRepository runs;
  private final NotificationChannelRepository channels;
  private final NotificationRepository notifications;
  private final DeliveryNotifier notifier;
  private final CooldownStore cooldowns;
  private final TenantSettings settings;
  private final KillSwitch killSwitch;
  private final ReviewMemory reviews;
  private final Incidents incidents;
  private final ActionRepository actionLog;
  private final Optional<PlatformActions> actions;
  private final Investigation investigation;
  private final OpsAgent agent;

  private Root(Config config, Database db, Clock clock, boolean reviewEveryCycle) {
    this.config = config;
    this.clock = clock;
    this.db = db;
    var jdbi = db.jdbi();
    this.auditKeys = AuditKeys.of(config.audit());
    this.metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    this.runtimeMetrics = new RuntimeMetrics(metrics, db);
    this.tenants = new TenantRepository(jdbi, clock);
    this.workspaces = new WorkspaceRepository(jdbi, clock);
    this.deployments = new DeploymentRepository(jdbi, config.notifications().secretKey().map(SecretBox::new), clock);
    this.runs = new RunRepository(jdbi, auditKeys, clock);
    this.channels = new NotificationChannelRepository(jdbi, config.notifications().allowPrivateWebhooks(),
        config.notifications().secretKey().map(SecretBox::new), clock);
    this.notifications = new NotificationRepository(jdbi, clock);
    this.notifier = new DeliveryNotifier(db, channels, notifications, config.notifications(), config.paging(),
        config.scheduling(), metrics, clock);
    this.cooldowns = CooldownStore.create(config.cooldowns(), clock);
    this.settings = new TenantSettings(jdbi, Mode.fromWire(config.cycle().defaultMode()), clock);
    this.killSwitch = new KillSwitch(jdbi, clock);
    this.reviews = new ReviewMemory(jdbi);
    this.incidents = new Incidents(jdbi, deployments, workspaces, settings, notifier, config.incidentReminder(),
        config.paging().watchdogAfter(), config.paging().watchdogInterval(), clock);
    this.actionLog = new ActionRepository(jdbi, clock);
    // platform actions only with a control URL (read-only otherwise); an engaged kill switch or a
    // tenant in dry-run holds an action back, re-checked right before it is sent
    ActionHolds holds = tenantId -> killSwitch.engaged() ? Optional.of("the kill switch is engaged")
        : settings.get(tenantId).mode() == Mode.DRY_RUN ? Optional.of("the tenant is in dry-run mode")
        : Optional.empty();
    // an action's notices about a deployment (failed, did not help) belong to its incident: an
    // update of the open one, or its page when nobody was reached yet
    Notifier onIncidents = alert -> alert.deploymentId() == null ? notifier.send(alert)
        : incidents.alert(alert.on(null, Alert.UPDATE)).deliveries();
    this.actions = PlatformActions.create(config.actions(), config.cooldowns(), db, actionLog, deployments, onIncidents, holds, clock);
    // read-only investigation tools, the evidence of a review's first request, and of code's pages
    this.investigation = Investigation.create(config.investigation(), jdbi, deployments, clock);
    incidents.evidenceFrom(investigation.pageEvidence());
    // past the tenant's hourly page cap, code's pages are grouped (never dropped)
    incidents.groupPagesPast(config.paging().maxAlertsPerTenantHour());
    this.agent = agent(reviewEveryCycle);
    // a page that could not be delivered must not turn into silence: the tenant's next cycle reviews
    notifier.onFailedForGood(d -> reviews.forget(d.tenantId()));
    if (config.llm().configured() && config.llm().price().isEmpty()) {
      log.warn("model {} has no price in OPSAGENT_MODEL_PRICES: runs record costUsd null", config.llm().model());
    }
  }

  private OpsAgent agent(boolean reviewEveryCycle) {
    var jdbi = db.jdbi();
    List<OpsTools.Definition> extra = new ArrayList<>(List.of(HistoryTool.definition(jdbi, deployments)));
    ActionGate.Check checks = ActionGate.Check.NONE;
    if (actions.isPresent()) {
      extra.addAll(actions.get().tools());
      checks = checks.andThen(actions.get().limits());
    }
    extra.addAll(investigation.tools());
    ModelClient model = ModelClient.fromConfig(config.llm());
    if (!(model instanceof RulesEngine)) {
      // the rules engine is no model call; wrapping it would also hide it from the fallback checks
      model = new MeteredModelClient(model, metrics);
    }
    return OpsAgent.builder().cycle(config.cycle()).price(config.llm().price()).tenants(tenants).runs(runs)
        .gatherer(new StateGatherer(jdbi, runs, workspaces, deployments, clock))
        .reviews(reviews).pages(notifications).model(model)
        .tools(OpsTools.standard(notifier, incidents).plus(extra))
        .guardrails(Guardrails.standard(config.cycle(), config.cooldowns(), config.paging(), jdbi, notifier, cooldowns, checks, deployments, incidents,
            settings, clock))
        .lock(TenantCycleLock.forJdbi(jdbi)).clock(clock).notifier(notifier).settings(settings)
        .budget(new TokenBudget(jdbi, config.cycle().dailyTokenBudget(), clock)).killSwitch(killSwitch)
        .evidence(investigation.evidence()).reviewEveryCycle(reviewEveryCycle).build();
  }

  /**
   * Opens the database, applies migrations and builds the graph on the system clock. Stored channel
   * configuration is brought in line with {@code OPSAGENT_SECRET_KEY} before anything can read it:
   * plaintext rows are encrypted when a key is set; encrypted rows with no key or another key stop
   * the start with a {@link io.opsagent.config.ConfigException} naming the problem.
   */
  public static Root open(Config config) {
    return open(config, false);
  }

  /** {@link #open(Config)} on {@code clock}, the one clock of the process. */
  public static Root open(Config config, Clock clock) {
    return open(config, clock, false);
  }

  /** {@link #open(Config)}; {@code reviewEveryCycle} is the original design, for the benchmark only. */
  static Root open(Config config, boolean reviewEveryCycle) {
    return open(config, Clock.systemUTC(), reviewEveryCycle);
  }

  /**
   * {@link #open(Config)} on {@code clock}, the one clock of the process. Anything that runs the
   * queues needs the system clock: db-scheduler picks due jobs on real time.
   */
  static Root open(Config config, Clock clock, boolean reviewEveryCycle) {
    log.info("starting {}", HumanDurations.in(config.toString()));
    Database db = Database.open(config.database(), config.scheduling());
    Root root = null;
    try {
      db.migrate();
      root = new Root(config, db, clock, reviewEveryCycle);
      root.channels.secureAtRest();
      return root;
    } catch (RuntimeException e) {
      if (root != null) {
        root.close();
      } else {
        db.close();
      }
      throw e;
    }
  }

  /**
   * The worker over this graph, not started: the ops-agent queue whose handler runs the agent, the
   * deployment queue, the maintenance tasks and (unless {@code OPSAGENT_HTTP_PORT=0}) the HTTP API.
   * {@code originalDesign}: the ops queue polls only (no wake-up), for the benchmark.
   */
  Worker worker(boolean originalDesign) {
    var jdbi = db.jdbi();
    CycleMetrics cycleMetrics = new CycleMetrics(metrics, agent.toolNames());
    var statuses = new TenantStatusQuery(jdbi, config.cycle().circuitPause(), settings);
    QueueLag.register(metrics, jdbi, clock);
    OpsGauges.register(metrics, jdbi, statuses, clock);
    Wakeup wakeup = new Wakeup(db);
    var late = new Object() {
      OpsScheduler scheduler;
    };
    var cycles = new AgentCycles(agent, cycleMetrics, tenantId -> late.scheduler.removeOpsSchedule(tenantId));
    OpsScheduler scheduler = new OpsScheduler(db, config.scheduling(), tenants, cycles, wakeup, clock);
    late.scheduler = scheduler;
    Queues queues = new Queues(db, config.scheduling(), config.llm(), config.actions(), scheduler.task(), this::deploymentJob,
        List.of(new Retention(jdbi, config.audit().retention(), clock, auditKeys).task(),
            incidents.reminderTask(), incidents.watchdogTask()), clock);
    boolean generatedToken = config.api().token().isEmpty();
    String apiToken = config.api().token().orElseGet(Root::randomToken);
    var reactions = new DeploymentReactions(actions, incidents, scheduler, notifications,
        config.paging().onReport());
    ApiServer api = config.api().httpPort() == 0 ? null : api(apiToken, statuses, scheduler, reactions);
    return new Worker(this, notifier, scheduler, queues, wakeup, !originalDesign, api,
        generatedToken ? Optional.of(apiToken) : Optional.empty(), config.http().bindOr("0.0.0.0"),
        config.api().httpPort(), decider());
  }

  private void deploymentJob(DeploymentJob job) {
    Optional<PlatformActions> handler = actions.filter(a -> a.handles(job));
    if (handler.isPresent()) {
      handler.get().handle(job);
    } else {
      log.info("deployment job has no handler in this process job={}", job);
    }
  }

  private ApiServer api(String apiToken, TenantStatusQuery statuses, OpsScheduler scheduler,
      DeploymentReactions reactions) {
    var json = Json.MAPPER;
    var jdbi = db.jdbi();
    List<ApiServer.HealthCheck> checks = new ArrayList<>();
    checks.add(new ApiServer.HealthCheck("database", db::isHealthy));
    if (config.cooldowns().redisUrl().isPresent()) {
      // without Redis the cooldowns fail closed and the worker keeps working: degraded, still ready
      checks.add(ApiServer.HealthCheck.optional("redis", cooldowns::ping));
    }
    Access access = Access.of(apiToken, jdbi, config.http().trustedProxies(), clock);
    // deletes and reconciles stop the agent watching what they removed
    var objects = new PlatformObjects(jdbi, deployments, reactions, clock);
    return new ApiServer(access, json, metrics, checks, List.of(
        new KeyRoutes(json, access),
        new PlatformRoutes(json, tenants, workspaces, deployments, reactions, clock)
            .onTenantCreated(settings::initialise).withObjects(objects),
        new PlatformObjectRoutes(tenants, workspaces, deployments, objects, statuses),
        new AlertmanagerRoutes(jdbi, new DeploymentEvents(deployments, reactions), config.alertmanager().labels(),
            metrics, clock),
        new InventoryRoutes(tenants, new InventoryReconciler(jdbi, deployments, reactions, clock),
            scheduler::ensureOpsSchedule),
        new IncidentRoutes(tenants, incidents),
        new ChannelRoutes(json, tenants, workspaces, channels),
        new RunRoutes(json, tenants, runs, notifications, new RunQueries(jdbi)),
        new TenantRoutes(json, statuses),
        new OpsRoutes(tenants, scheduler, runs),
        new ActionRoutes(tenants, actionLog),
        new SettingsRoutes(json, tenants, settings, killSwitch, reviews, config.cycle().dailyTokenBudget()),
        new Dashboard(access, jdbi, json, statuses, runs, tenants, deployments, scheduler, killSwitch,
            incidents, actionLog, clock)));
  }

  private static String randomToken() {
    byte[] b = new byte[24];
    new SecureRandom().nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  /** "Claude (model)", "openai (model)" or "the rules engine": what decides in this process. */
  public String decider() {
    var llm = config.llm();
    boolean openai = llm.provider() == Config.Llm.Provider.OPENAI;
    if (!llm.configured()) {
      return "the rules engine (no " + (openai ? "OPENAI_API_KEY or OPSAGENT_MODEL_BASE_URL" : "ANTHROPIC_API_KEY") + ")";
    }
    return (openai ? "openai" : llm.provider() == Config.Llm.Provider.BEDROCK ? "Claude on Bedrock" : "Claude")
        + " (" + llm.model() + ")";
  }

  public Config config() {
    return config;
  }

  /** The time of this process. */
  public Clock clock() {
    return clock;
  }

  public Database db() {
    return db;
  }

  public PrometheusMeterRegistry metrics() {
    return metrics;
  }

  public TenantRepository tenants() {
    return tenants;
  }

  public WorkspaceRepository workspaces() {
    return workspaces;
  }

  public DeploymentRepository deployments() {
    return deployments;
  }

  public RunRepository runs() {
    return runs;
  }

  public NotificationChannelRepository channels() {
    return channels;
  }

  public NotificationRepository notifications() {
    return notifications;
  }

  public DeliveryNotifier notifier() {
    return notifier;
  }

  public CooldownStore cooldowns() {
    return cooldowns;
  }

  public OpsAgent agent() {
    return agent;
  }

  /** Restart and rollback through the platform; empty when no control URL is configured. */
  public Optional<PlatformActions> actions() {
    return actions;
  }

  public Incidents incidents() {
    return incidents;
  }

  /** Per-tenant agent settings (mode, daily token budget). */
  public TenantSettings settings() {
    return settings;
  }

  /** The cluster-wide kill switch. */
  public KillSwitch killSwitch() {
    return killSwitch;
  }

  @Override
  public void close() {
    agent.close();
    actions.ifPresent(PlatformActions::close);
    investigation.close();
    notifier.close();
    cooldowns.close();
    runtimeMetrics.close();
    db.close();
  }
}
