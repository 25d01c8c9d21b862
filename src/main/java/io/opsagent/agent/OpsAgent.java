package io.opsagent.agent;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.opsagent.Json;
import io.opsagent.agent.cycle.ContextBuilder;
import io.opsagent.agent.cycle.EvidenceSource;
import io.opsagent.agent.cycle.StateGatherer;
import io.opsagent.agent.cycle.SystemPrompt;
import io.opsagent.agent.cycle.TenantCycleLock;
import io.opsagent.agent.cycle.TenantState;
import io.opsagent.agent.cycle.ToolSession;
import io.opsagent.agent.guard.CyclePolicy;
import io.opsagent.agent.guard.Guardrails;
import io.opsagent.agent.guard.TokenBudget;
import io.opsagent.agent.llm.ModelClient;
import io.opsagent.agent.llm.ToolSpec;
import io.opsagent.agent.review.ReviewMemory;
import io.opsagent.agent.review.StateFingerprint;
import io.opsagent.agent.run.OpsRun;
import io.opsagent.agent.run.RunChain;
import io.opsagent.agent.run.RunOutcome;
import io.opsagent.agent.run.RunRepository;
import io.opsagent.agent.tools.OpsTools;
import io.opsagent.config.Config;
import io.opsagent.config.ModelPrice;
import io.opsagent.notify.Notifier;
import io.opsagent.notify.delivery.NotificationRepository;
import io.opsagent.platform.TenantRepository;
import io.opsagent.queue.schedule.Trigger;
import io.opsagent.trust.KillSwitch;
import io.opsagent.trust.TenantSettings;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.MDC;

/**
 * The agent: runs one ops cycle for one tenant (after the original {@code loop.ts}). Built only
 * through {@link #builder}, which requires the {@link Guardrails}: the action budget, per-deployment
 * cooldowns, alert de-duplication and the circuit breaker.
 *
 * <p>A cycle, in order: the circuit breaker may skip it ({@code skipped}/{@code circuit_open}); the
 * state is gathered in a constant number of queries; a scheduled cycle whose state equals the last
 * reviewed one, with no new event that matters and a full review not yet due, is recorded
 * {@code skipped}/{@code unchanged} without a model call; otherwise a {@code running} row is written,
 * the model (or the rules engine) runs its tool loop, and the row is finished exactly once.
 *
 * <p>Guarantees: every reviewed cycle leaves exactly one run row, {@code completed} or
 * {@code failed} (with the reason), carrying every tool call (appended as each completes, so a crash
 * keeps them), the number of model calls (at most {@code maxSteps}, plus one last request for the
 * summary when the step limit is reached), tokens and cost. A cycle that
 * loses its cluster-wide lock stops before its next side effect, and an outcome that cannot be
 * recorded is logged in full, never dropped silently. A cycle cut off before recording its outcome
 * (its worker lost, or the database gone) has its row marked failed with that cause by the tenant's
 * next cycle, and a retry of it runs under a run id of its own, never colliding with that row. Nothing a tool does bypasses {@link ToolSession}.
 *
 * <p>The steps, each a class of its own: {@link RunLedger} (the run id, orphans, the row written
 * and finished once), {@link SkipCheck} (circuit open, unchanged state), {@link Review} and its
 * {@link ModelLoop} (the tool loop, with {@link ModelBudget} before every model call), and
 * {@link CycleFinish}.
 */
public final class OpsAgent implements AutoCloseable {
  public static final String BUDGET_TITLE = "opsagent daily token budget spent";
  private static final ObjectMapper PROMPT_JSON = Json.MAPPER;
  /** How an orphaned run whose process is gone is labelled (the start of its {@code error}). */
  static final String WORKER_LOST = "worker lost mid-cycle";
  /** How an orphaned run of this very process is labelled (the start of its {@code error}). */
  static final String DATABASE_OUTAGE = "database outage mid-cycle";

  private final TenantRepository tenants;
  private final TenantCycleLock lock;
  private final StateGatherer gatherer;
  private final Clock clock;
  private final ModelClient model;
  private final OpsTools tools;
  private final RunLedger ledger;
  private final SkipCheck skips;
  private final Review review;
  private final CycleFinish finish;

  private OpsAgent(Builder b) {
    this.tenants = b.tenants;
    this.lock = b.lock;
    this.gatherer = b.gatherer;
    this.clock = b.clock;
    this.model = b.model;
    this.tools = b.tools;
    this.ledger = new RunLedger(b.runs);
    CyclePolicy policy = b.guardrails.policy();
    this.skips = new SkipCheck(b.runs, policy, b.reviews, b.cycle.fullReviewInterval(), b.reviewEveryCycle);
    var loop = new ModelLoop(b.model, b.tools, b.runs, new ModelBudget(b.killSwitch, b.budget, b.notifier),
        b.cycle.maxSteps(), b.evidence);
    this.review = new Review(b.tools, b.guardrails.gate(), b.settings, b.killSwitch, b.pages, loop, b.model,
        b.price, promptSha256(b.tools));
    this.finish = new CycleFinish(ledger, b.runs, b.reviews, policy, b.model);
  }

  /** The names of the tools the agent offers (the label values of {@code opsagent.actions}). */
  public List<String> toolNames() {
    return tools.specs().stream().map(ToolSpec::name).toList();
  }

  /** SHA-256 (hex) of the exact system prompt and tool definitions sent with every model call. */
  static String promptSha256(OpsTools tools) {
    try {
      return RunChain.sha256Hex(SystemPrompt.TEXT + "\n" + PROMPT_JSON.writeValueAsString(tools.specs()));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The one way to build the agent: every collaborator is required, except {@code reviewEveryCycle}. */
  public static Builder builder() {
    return new Builder();
  }

  /** {@link #runOpsCycle(String, Trigger, String)} with a fresh run id. */
  public OpsRun runOpsCycle(String tenantId, Trigger trigger) {
    return runOpsCycle(tenantId, trigger, null);
  }

  /**
   * Runs one cycle now, in this thread, and returns the finished (or skipped) run, recorded under
   * {@code runId} (the id given out when the cycle was queued; null for a fresh one). Failures of
   * the cycle are recorded in the run, not thrown; throws {@link UnknownTenantException} (recording
   * nothing) when the tenant does not exist, and {@link CycleAlreadyRunningException} when another
   * cycle of the tenant holds its {@link TenantCycleLock} anywhere (a worker, the CLI).
   *
   * <p>Holding the lock, any {@code running} row of the tenant is certainly orphaned (its holder
   * lost the lock with its database session): it is marked failed before the cycle starts, with the
   * cause — {@value #WORKER_LOST} when another process (or an earlier life of this one) wrote it,
   * {@value #DATABASE_OUTAGE} when this agent did and could not record its outcome.
   *
   * <p>A retried cycle (the queue revived its job after its worker was lost, or ran it again after
   * an error) comes with a {@code runId} that may already have a row. It never fails on it: a row
   * that still ran (the orphan) or ended {@code failed} leaves that row as it is and the cycle runs
   * under a fresh id, which the orphan's error names; a row {@code completed} or {@code skipped} means
   * the cycle already ran and recorded its outcome, and that run is returned without running again.
   */
  public OpsRun runOpsCycle(String tenantId, Trigger trigger, String runId) {
    if (tenants.find(tenantId).isEmpty()) {
      throw new UnknownTenantException(tenantId);
    }
    try (TenantCycleLock.Held held = lock.tryLock(tenantId)
        .orElseThrow(() -> new CycleAlreadyRunningException(tenantId))) {
      RunLedger.Start start = ledger.start(tenantId, runId);
      if (start instanceof RunLedger.Start.Recorded recorded) {
        return recorded.run();
      }
      MDC.put("tenant", tenantId);
      try {
        return runLocked(tenantId, trigger, ((RunLedger.Start.Fresh) start).runId(), held);
      } finally {
        MDC.remove("tenant");
        MDC.remove("run");
      }
    }
  }

  /** Closes the model client (its HTTP connections and threads). */
  @Override
  public void close() {
    model.close();
  }

  /** The model id runs record ({@code rules} for the rules engine). */
  public String modelId() {
    return model.modelId();
  }

  /** Record run, gather, decide skip, review, finish. */
  private OpsRun runLocked(String tenantId, Trigger trigger, String runId, TenantCycleLock.Held held) {
    MDC.put("run", runId);
    Optional<OpsRun> paused = skips.circuitOpen(tenantId, trigger, runId);
    if (paused.isPresent()) {
      return paused.get();
    }
    long t0 = System.nanoTime();
    TenantState state = gatherer.gather(tenantId);
    String stateJson = ContextBuilder.stateJson(state, runId);
    StateFingerprint fingerprint = StateFingerprint.of(stateJson, state.events());
    Instant now = clock.instant();
    Optional<OpsRun> unchanged = skips.unchanged(tenantId, trigger, runId, fingerprint, now, t0);
    if (unchanged.isPresent()) {
      return unchanged.get();
    }
    OpsRun run = ledger.running(tenantId, trigger, runId);
    Progress p = new Progress();
    RunOutcome outcome;
    try {
      outcome = review.review(run, state, stateJson, p, held);
    } catch (RuntimeException e) {
      // the database failed us (the row stays running): the cycle's retry labels it with this
      ledger.cutOff(runId, e);
      throw e;
    }
    return finish.finish(tenantId, trigger, runId, outcome, p, held, fingerprint, now, t0);
  }

  /**
   * Gathers the agent's collaborators, each built once by the composition root (or a test's
   * factory) and shared with the rest of the process; the agent builds none of them.
   */
  public static final class Builder {
    private Config.Cycle cycle;
    private Optional<ModelPrice> price = Optional.empty();
    private TenantRepository tenants;
    private RunRepository runs;
    private StateGatherer gatherer;
    private ReviewMemory reviews;
    private NotificationRepository pages;
    private ModelClient model;
    private OpsTools tools;
    private Guardrails guardrails;
    private TenantCycleLock lock;
    private Clock clock;
    private Notifier notifier;
    private TenantSettings settings;
    private TokenBudget budget;
    private KillSwitch killSwitch;
    private boolean reviewEveryCycle;
    private EvidenceSource evidence = EvidenceSource.NONE;

    private Builder() {}

    /** The step limit and the full-review interval. */
    public Builder cycle(Config.Cycle cycle) {
      this.cycle = cycle;
      return this;
    }

    /** The model's price, for each run's cost (none: runs record no cost). */
    public Builder price(Optional<ModelPrice> price) {
      this.price = Objects.requireNonNull(price, "price");
      return this;
    }

    public Builder tenants(TenantRepository tenants) {
      this.tenants = tenants;
      return this;
    }

    public Builder runs(RunRepository runs) {
      this.runs = runs;
      return this;
    }

    public Builder gatherer(StateGatherer gatherer) {
      this.gatherer = gatherer;
      return this;
    }

    /** The last reviewed state of each tenant, for the unchanged-state skip. */
    public Builder reviews(ReviewMemory reviews) {
      this.reviews = reviews;
      return this;
    }

    /** Where the pages code sent before the review are read, to list them in the run. */
    public Builder pages(NotificationRepository pages) {
      this.pages = pages;
      return this;
    }

    /** The model (Claude, or the rules engine without an API key). */
    public Builder model(ModelClient model) {
      this.model = model;
      return this;
    }

    /** Every tool the agent offers. */
    public Builder tools(OpsTools tools) {
      this.tools = tools;
      return this;
    }

    /** The action gate and the circuit breaker ({@link Guardrails#standard}). */
    public Builder guardrails(Guardrails guardrails) {
      this.guardrails = guardrails;
      return this;
    }

    /** The tenant's cluster-wide cycle lock. */
    public Builder lock(TenantCycleLock lock) {
      this.lock = lock;
      return this;
    }

    /** The clock of the full-review interval. */
    public Builder clock(Clock clock) {
      this.clock = clock;
      return this;
    }

    /** Where alerts go (the budget notice). */
    public Builder notifier(Notifier notifier) {
      this.notifier = notifier;
      return this;
    }

    public Builder settings(TenantSettings settings) {
      this.settings = settings;
      return this;
    }

    public Builder budget(TokenBudget budget) {
      this.budget = budget;
      return this;
    }

    public Builder killSwitch(KillSwitch killSwitch) {
      this.killSwitch = killSwitch;
      return this;
    }

    /**
     * The original design, for the simulated-day benchmark only: {@code true} reviews every
     * scheduled cycle with the model, never skipping an unchanged state. Off by default.
     */
    public Builder reviewEveryCycle(boolean reviewEveryCycle) {
      this.reviewEveryCycle = reviewEveryCycle;
      return this;
    }

    /** What a review's first model request carries besides the state (none by default). */
    public Builder evidence(EvidenceSource evidence) {
      this.evidence = Objects.requireNonNull(evidence, "evidence");
      return this;
    }

    public OpsAgent build() {
      Objects.requireNonNull(cycle, "cycle");
      Objects.requireNonNull(tenants, "tenants");
      Objects.requireNonNull(runs, "runs");
      Objects.requireNonNull(gatherer, "gatherer");
      Objects.requireNonNull(reviews, "reviews");
      Objects.requireNonNull(pages, "pages");
      Objects.requireNonNull(model, "model");
      Objects.requireNonNull(tools, "tools");
      Objects.requireNonNull(guardrails, "guardrails");
      Objects.requireNonNull(lock, "lock");
      Objects.requireNonNull(clock, "clock");
      Objects.requireNonNull(notifier, "notifier");
      Objects.requireNonNull(settings, "settings");
      Objects.requireNonNull(budget, "budget");
      Objects.requireNonNull(killSwitch, "killSwitch");
      return new OpsAgent(this);
    }
  }
}
