package io.opsagent.worker;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.opsagent.agent.OpsAgent;
import io.opsagent.agent.guard.ActionGate;
import io.opsagent.agent.guard.AlertCooldown;
import io.opsagent.agent.guard.CircuitBreaker;
import io.opsagent.agent.guard.CircuitBreakerPolicy;
import io.opsagent.agent.guard.CooldownChecks;
import io.opsagent.agent.guard.CooldownStore;
import io.opsagent.agent.llm.ModelClient;
import io.opsagent.agent.run.RunRepository;
import io.opsagent.agent.tools.OpsTools;
import io.opsagent.config.Config;
import io.opsagent.db.Database;
import io.opsagent.db.SecretBox;
import io.opsagent.notify.NotificationChannelRepository;
import io.opsagent.notify.Notifier;
import io.opsagent.notify.delivery.DeliveryNotifier;
import io.opsagent.notify.delivery.NotificationRepository;
import io.opsagent.platform.DeploymentRepository;
import io.opsagent.platform.TenantRepository;
import io.opsagent.platform.WorkspaceRepository;
import java.time.Clock;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The object graph shared by the worker and the {@code demo} and {@code cycle} commands: the
 * database (migrated), the repositories, the notifier, the cooldown store and the ops loop with every
 * guardrail wired in. Built with constructors only; closing it closes what it opened, in reverse.
 */
public final class Services implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Services.class);

  public final Config config;
  public final Database db;
  public final PrometheusMeterRegistry metrics;
  public final TenantRepository tenants;
  public final WorkspaceRepository workspaces;
  public final DeploymentRepository deployments;
  public final RunRepository runs;
  public final NotificationChannelRepository channels;
  public final NotificationRepository notifications;
  public final DeliveryNotifier notifier;
  public final CooldownStore cooldowns;
  public final OpsAgent loop;

  private Services(Config config, Database db) {
    this.config = config;
    this.db = db;
    this.metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    var jdbi = db.jdbi();
    this.tenants = new TenantRepository(jdbi);
    this.workspaces = new WorkspaceRepository(jdbi);
    this.deployments = new DeploymentRepository(jdbi);
    this.runs = new RunRepository(jdbi);
    this.channels = new NotificationChannelRepository(jdbi, config.allowPrivateWebhooks(),
        config.secretKey().map(SecretBox::new));
    this.notifications = new NotificationRepository(jdbi);
    this.notifier = new DeliveryNotifier(channels, notifications, config, metrics);
    this.cooldowns = CooldownStore.create(config);
    this.loop = opsLoop(config, jdbi, notifier, cooldowns, OpsTools.standard(notifier),
        Clock.systemUTC());
  }

  /**
   * The ops loop with every guardrail wired in, exactly as the worker, {@code demo} and {@code cycle}
   * run it: the configured action budget, {@link CooldownChecks} (mutating cooldowns fail closed,
   * alert de-duplication fails open) and {@link CircuitBreakerPolicy} (pause, one pause alert, reset
   * on success, deterministic critical alerts while the model cannot be used). Tests call it with
   * extra tools and a clock that decides when the breaker's pause is over.
   */
  public static OpsAgent opsLoop(Config config, Jdbi jdbi, Notifier notifier, CooldownStore cooldowns,
      OpsTools tools, Clock clock) {
    AlertCooldown alertCooldown = new AlertCooldown(cooldowns, config);
    var breaker = new CircuitBreaker(jdbi, config.circuitPause(), clock);
    var deployments = new DeploymentRepository(jdbi);
    var hooks = new CircuitBreakerPolicy(breaker, notifier, alertCooldown, deployments);
    var checks = new CooldownChecks(cooldowns, alertCooldown, deployments);
    return new OpsAgent(jdbi, ModelClient.fromConfig(config), tools,
        new ActionGate(config.maxActionsPerCycle(), checks), hooks, config.maxStepsPerCycle());
  }

  /**
   * Opens the database, applies migrations and builds the graph. Stored channel configuration is
   * brought in line with {@code OPSAGENT_SECRET_KEY} before anything can read it: plaintext rows are
   * encrypted when a key is set; encrypted rows with no key or another key stop the start with a
   * {@link io.opsagent.config.ConfigException} naming the problem.
   */
  public static Services open(Config config) {
    log.info("starting {}", config);
    Database db = Database.open(config);
    Services services = null;
    try {
      db.migrate();
      services = new Services(config, db);
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

  /** "claude (model)" or "rules engine": what decides in this process. */
  public String decider() {
    return config.anthropicApiKey().isPresent() ? "Claude (" + config.model() + ")" : "the rules engine (no ANTHROPIC_API_KEY)";
  }

  @Override
  public void close() {
    loop.close();
    notifier.close();
    cooldowns.close();
    db.close();
  }
}
