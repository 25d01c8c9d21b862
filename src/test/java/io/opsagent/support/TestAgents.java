package io.opsagent.support;

import io.micrometer.core.instrument.MeterRegistry;
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
import io.opsagent.agent.run.RunRepository;
import io.opsagent.agent.tools.OpsTools;
import io.opsagent.config.Config;
import io.opsagent.incident.Incidents;
import io.opsagent.notify.Notifier;
import io.opsagent.notify.delivery.NotificationRepository;
import io.opsagent.platform.DeploymentRepository;
import io.opsagent.platform.TenantRepository;
import io.opsagent.platform.WorkspaceRepository;
import io.opsagent.trust.KillSwitch;
import io.opsagent.trust.Mode;
import io.opsagent.trust.TenantSettings;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jdbi.v3.core.Jdbi;

/**
 * An agent over a test database, wired as the composition root wires it (the standard tools, the
 * {@link Guardrails}) from a {@link Config}, a notifier and a cooldown store; tests swap in their
 * model, clock, extra tools and checks.
 */
public final class TestAgents {
  private TestAgents() {}

  public static Builder builder(Config config, Jdbi jdbi) {
    return new Builder(config, jdbi);
  }

  /** The incidents an agent of this config over {@code jdbi} joins its alerts to. */
  public static Incidents incidents(Config config, Jdbi jdbi, Notifier notifier, Clock clock) {
    return new Incidents(jdbi, new DeploymentRepository(jdbi, Clock.systemUTC()), new WorkspaceRepository(jdbi, Clock.systemUTC()),
        new TenantSettings(jdbi, Mode.fromWire(config.cycle().defaultMode()), Clock.systemUTC()), notifier, config.incidentReminder(),
        config.paging().watchdogAfter(), config.paging().watchdogInterval(), clock);
  }

  /** The state gatherer a cycle over {@code jdbi} uses. */
  public static StateGatherer gatherer(Jdbi jdbi) {
    return new StateGatherer(jdbi, new RunRepository(jdbi, Clock.systemUTC()), new WorkspaceRepository(jdbi, Clock.systemUTC()),
        new DeploymentRepository(jdbi, Clock.systemUTC()), Clock.systemUTC());
  }

  public static final class Builder {
    private final Config config;
    private final Jdbi jdbi;
    private Notifier notifier;
    private CooldownStore cooldowns;
    private ModelClient model;
    private final List<OpsTools.Definition> extraTools = new ArrayList<>();
    private Clock clock = Clock.systemUTC();
    private ActionGate.Check actionChecks = ActionGate.Check.NONE;
    private Incidents incidents;
    private boolean reviewEveryCycle;
    private MeterRegistry meters;
    private io.opsagent.agent.cycle.EvidenceSource evidence = io.opsagent.agent.cycle.EvidenceSource.NONE;

    private Builder(Config config, Jdbi jdbi) {
      this.config = config;
      this.jdbi = jdbi;
    }

    public Builder notifier(Notifier notifier) {
      this.notifier = notifier;
      return this;
    }

    public Builder cooldowns(CooldownStore cooldowns) {
      this.cooldowns = cooldowns;
      return this;
    }

    public Builder model(ModelClient model) {
      this.model = model;
      return this;
    }

    public Builder extraTools(List<OpsTools.Definition> more) {
      extraTools.addAll(more);
      return this;
    }

    public Builder actionChecks(ActionGate.Check checks) {
      this.actionChecks = actionChecks.andThen(checks);
      return this;
    }

    public Builder clock(Clock clock) {
      this.clock = clock;
      return this;
    }

    public Builder incidents(Incidents incidents) {
      this.incidents = incidents;
      return this;
    }

    public Builder reviewEveryCycle(boolean reviewEveryCycle) {
      this.reviewEveryCycle = reviewEveryCycle;
      return this;
    }

    public Builder evidence(io.opsagent.agent.cycle.EvidenceSource evidence) {
      this.evidence = evidence;
      return this;
    }

    public Builder meters(MeterRegistry meters) {
      this.meters = meters;
      return this;
    }

    public OpsAgent build() {
      Objects.requireNonNull(notifier, "notifier");
      Objects.requireNonNull(cooldowns, "cooldowns");
      var settings = new TenantSettings(jdbi, Mode.fromWire(config.cycle().defaultMode()), Clock.systemUTC());
      var deployments = new DeploymentRepository(jdbi, Clock.systemUTC());
      var workspaces = new WorkspaceRepository(jdbi, Clock.systemUTC());
      var runs = new RunRepository(jdbi, AuditKeys.of(config.audit()), Clock.systemUTC());
      Incidents joined = incidents != null ? incidents
          : new Incidents(jdbi, deployments, workspaces, settings, notifier, config.incidentReminder(),
              config.paging().watchdogAfter(), config.paging().watchdogInterval(), clock);
      ModelClient decider = model != null ? model : ModelClient.fromConfig(config.llm());
      if (meters != null && !(decider instanceof RulesEngine)) {
        decider = new MeteredModelClient(decider, meters);
      }
      return OpsAgent.builder().cycle(config.cycle()).price(config.llm().price()).tenants(new TenantRepository(jdbi, Clock.systemUTC())).runs(runs)
          .gatherer(new StateGatherer(jdbi, runs, workspaces, deployments, clock))
          .reviews(new ReviewMemory(jdbi)).pages(new NotificationRepository(jdbi, Clock.systemUTC())).model(decider)
          .tools(OpsTools.standard(notifier, joined).plus(extraTools))
          .guardrails(Guardrails.standard(config.cycle(), config.cooldowns(), config.paging(), jdbi, notifier, cooldowns, actionChecks, deployments, joined,
              settings, clock))
          .lock(TenantCycleLock.forJdbi(jdbi)).clock(clock).notifier(notifier).settings(settings)
          .budget(new TokenBudget(jdbi, config.cycle().dailyTokenBudget(), clock)).killSwitch(new KillSwitch(jdbi, Clock.systemUTC()))
          .evidence(evidence).reviewEveryCycle(reviewEveryCycle).build();
    }
  }
}
