package io.opsagent.worker;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.opsagent.action.ActionHolds;
import io.opsagent.action.HistoryTool;
import io.opsagent.action.PlatformActions;
import io.opsagent.agent.OpsAgent;
import io.opsagent.agent.guard.CooldownStore;
import io.opsagent.agent.review.ReviewMemory;
import io.opsagent.agent.run.AuditKeys;
import io.opsagent.agent.run.RunRepository;
import io.opsagent.agent.tools.investigate.Investigation;
import io.opsagent.agent.trust.KillSwitch;
import io.opsagent.agent.trust.Mode;
import io.opsagent.agent.trust.TenantSettings;
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
import io.opsagent.platform.TenantRepository;
import io.opsagent.platform.WorkspaceRepository;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composition root shared by the worker and the {@code demo} and {@code cycle} commands: the
 * database (migrated), the repositories, the notifier, the cooldown store and the agent, built with
 * {@link OpsAgent#builder} so every guardrail is wired. Built with constructors only; closing it
 * closes what it opened, in reverse.
 */
public final class Services implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Services.class);

  private final Config config;
  private final Database db;
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
  private final Optional<PlatformActions> actions;
  private final OpsAgent agent;
  private final Incidents incidents;
  private final TenantSettings settings;
  private final KillSwitch killSwitch;
  private final Investigation investigation;

  private Services(Config config, Database db, boolean reviewEveryCycle) {
    this.config = config;
    this.db = db;
    this.metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    this.runtimeMetrics = new RuntimeMetrics(metrics, db);
    var jdbi = db.jdbi();
    this.tenants = new TenantRepository(jdbi);
    this.workspaces = new WorkspaceRepository(jdbi);
    this.deployments = new DeploymentRepository(jdbi, config.secretKey().map(SecretBox::new));
    this.runs = new RunRepository(jdbi, AuditKeys.of(config));
    this.channels = new NotificationChannelRepository(jdbi, config.allowPrivateWebhooks(),
        config.secretKey().map(SecretBox::new));
    this.notifications = new NotificationRepository(jdbi);
    this.notifier = new DeliveryNotifier(db, channels, notifications, config, metrics);
    this.cooldowns = CooldownStore.create(config);
    this.settings = new TenantSettings(jdbi, Mode.fromWire(config.defaultMode()));
    this.killSwitch = new KillSwitch(jdbi);
    this.incidents = new Incidents(jdbi, notifier, config.incidentReminder(), config.paging().watchdogAfter(),
        config.paging().watchdogInterval(), Clock.systemUTC());
    // platform actions only with a control URL (read-only otherwise); an engaged kill switch or a
    // tenant in dry-run holds an action back, re-checked right before it is sent
    ActionHolds holds = tenantId -> killSwitch.engaged() ? Optional.of("the kill switch is engaged")
        : settings.get(tenantId).mode() == Mode.DRY_RUN ? Optional.of("the tenant is in dry-run mode")
        : Optional.empty();
    // an action's notices about a deployment (failed, did not help) belong to its incident: an
    // update of the open one, or its page when nobody was reached yet
    Notifier onIncidents = alert -> alert.deploymentId() == null ? notifier.send(alert)
        : incidents.alert(alert.on(null, Alert.UPDATE)).deliveries();
    this.actions = PlatformActions.create(config, db, onIncidents, holds, Clock.systemUTC());
    // read-only investigation tools, the evidence of a review's first request, and of code's pages
    this.investigation = Investigation.create(config.investigation(), jdbi, deployments, Clock.systemUTC());
    incidents.evidenceFrom(investigation.pageEvidence());
    var agentBuilder = OpsAgent.builder(config, jdbi).notifier(notifier).cooldowns(cooldowns)
        .incidents(incidents).extraTools(List.of(HistoryTool.definition(jdbi)))
        .extraTools(investigation.tools()).evidence(investigation.evidence())
        .reviewEveryCycle(reviewEveryCycle).meters(metrics);
    actions.ifPresent(a -> agentBuilder.extraTools(a.tools()).actionChecks(a.limits()));
    this.agent = agentBuilder.build();
    // a page that could not be delivered must not turn into silence: the tenant's next cycle reviews
    ReviewMemory reviews = new ReviewMemory(jdbi);
    notifier.onFailedForGood(d -> reviews.forget(d.tenantId()));
    if (config.anthropicApiKey().isPresent() && config.modelPrice().isEmpty()) {
      log.warn("model {} has no price in OPSAGENT_MODEL_PRICES: runs record costUsd null", config.model());
    }
  }

  /**
   * Opens the database, applies migrations and builds the graph. Stored channel configuration is
   * brought in line with {@code OPSAGENT_SECRET_KEY} before anything can read it: plaintext rows are
   * encrypted when a key is set; encrypted rows with no key or another key stop the start with a
   * {@link io.opsagent.config.ConfigException} naming the problem.
   */
  public static Services open(Config config) {
    return open(config, false);
  }

  /** {@link #open(Config)}; {@code reviewEveryCycle} is the original design, for the benchmark only. */
  static Services open(Config config, boolean reviewEveryCycle) {
    log.info("starting {}", HumanDurations.in(config.toString()));
    Database db = Database.open(config);
    Services services = null;
    try {
      db.migrate();
      services = new Services(config, db, reviewEveryCycle);
      services.channels.secureAtRest();
      return services;
    } catch (RuntimeException e) {
      if (services != null) {
        services.close();
      } else {
        db.close();
      }
      throw e;
    }
  }

  /** "Claude (model)" or "the rules engine": what decides in this process. */
  public String decider() {
    return config.anthropicApiKey().isPresent() ? "Claude (" + config.model() + ")" : "the rules engine (no ANTHROPIC_API_KEY)";
  }

  public Config config() {
    return config;
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
