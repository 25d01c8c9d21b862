package io.opsagent.agent;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.MeterRegistry;
import io.opsagent.Json;
import io.opsagent.agent.cycle.ContextBuilder;
import io.opsagent.agent.cycle.EvidenceSource;
import io.opsagent.agent.cycle.StateGatherer;
import io.opsagent.agent.cycle.SystemPrompt;
import io.opsagent.agent.cycle.TenantCycleLock;
import io.opsagent.agent.cycle.TenantState;
import io.opsagent.agent.cycle.ToolSession;
import io.opsagent.agent.guard.ActionGate;
import io.opsagent.agent.guard.AlertCooldown;
import io.opsagent.agent.guard.AlertStorm;
import io.opsagent.agent.guard.CircuitBreaker;
import io.opsagent.agent.guard.CircuitBreakerPolicy;
import io.opsagent.agent.guard.CooldownChecks;
import io.opsagent.agent.guard.CooldownStore;
import io.opsagent.agent.guard.CyclePolicy;
import io.opsagent.agent.llm.Block;
import io.opsagent.agent.llm.ChatMessage;
import io.opsagent.agent.llm.MeteredModelClient;
import io.opsagent.agent.llm.ModelClient;
import io.opsagent.agent.llm.ModelException;
import io.opsagent.agent.llm.ModelReply;
import io.opsagent.agent.llm.ModelRequest;
import io.opsagent.agent.llm.RulesEngine;
import io.opsagent.agent.llm.ToolSpec;
import io.opsagent.agent.review.ReviewMemory;
import io.opsagent.agent.review.StateFingerprint;
import io.opsagent.agent.run.FallbackReason;
import io.opsagent.agent.run.OpsRun;
import io.opsagent.agent.run.AuditKeys;
import io.opsagent.agent.run.RunChain;
import io.opsagent.agent.run.RunOutcome;
import io.opsagent.agent.run.RunRepository;
import io.opsagent.agent.run.RunStatus;
import io.opsagent.agent.run.SkipReason;
import io.opsagent.agent.run.TokenUsage;
import io.opsagent.agent.run.Trigger;
import io.opsagent.agent.tools.OpsTools;
import io.opsagent.agent.trust.KillSwitch;
import io.opsagent.agent.trust.Mode;
import io.opsagent.agent.trust.TenantSettings;
import io.opsagent.agent.trust.TokenBudget;
import io.opsagent.config.Config;
import io.opsagent.config.ModelPrice;
import io.opsagent.db.Ids;
import io.opsagent.incident.Incidents;
import io.opsagent.notify.Alert;
import io.opsagent.notify.Delivery;
import io.opsagent.notify.Notifier;
import io.opsagent.notify.Severity;
import io.opsagent.notify.delivery.NotificationRepository;
import io.opsagent.platform.DeploymentRepository;
import io.opsagent.platform.TenantRepository;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The agent: runs one ops cycle for one tenant (after the original {@code loop.ts}). Built only
 * through {@link #builder}, which always wires the guardrails: the action budget, per-deployment
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
 */
public final class OpsAgent implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(OpsAgent.class);
  public static final String BUDGET_TITLE = "opsagent daily token budget spent";
  private static final ObjectMapper PROMPT_JSON = Json.MAPPER;
  /** How an orphaned run whose process is gone is labelled (the start of its {@code error}). */
  static final String WORKER_LOST = "worker lost mid-cycle";
  /** How an orphaned run of this very process is labelled (the start of its {@code error}). */
  static final String DATABASE_OUTAGE = "database outage mid-cycle";

  private final TenantRepository tenants;
  private final RunRepository runs;
  private final StateGatherer gatherer;
  private final ReviewMemory memory;
  private final NotificationRepository pages;
  private final ModelClient model;
  private final OpsTools tools;
  private final ActionGate gate;
  private final CyclePolicy policy;
  private final TenantCycleLock lock;
  private final Clock clock;
  private final Config config;
  private final boolean reviewEveryCycle;
  private final Notifier notifier;
  private final TenantSettings settings;
  private final TokenBudget budget;
  private final KillSwitch killSwitch;
  private final EvidenceSource evidence;
  private final RulesEngine rules = new RulesEngine();
  private final String promptSha256;
  /**
   * The runs this agent wrote {@code running} and has not finished, each with why its outcome was
   * not recorded (empty while it runs): an orphan found here belongs to this live process, so it
   * was cut off by the database, not by a dead worker.
   */
  private final Map<String, String> unrecorded = new ConcurrentHashMap<>();

  private OpsAgent(Builder b, ModelClient model, ActionGate gate, CyclePolicy policy) {
    this.tenants = new TenantRepository(b.jdbi);
    this.runs = new RunRepository(b.jdbi, AuditKeys.of(b.config));
    this.gatherer = new StateGatherer(b.jdbi, b.clock);
    this.memory = new ReviewMemory(b.jdbi);
    this.pages = new NotificationRepository(b.jdbi);
    this.model = model;
    this.tools = b.tools;
    this.gate = gate;
    this.policy = policy;
    this.lock = TenantCycleLock.forJdbi(b.jdbi);
    this.clock = b.clock;
    this.config = b.config;
    this.reviewEveryCycle = b.reviewEveryCycle;
    this.notifier = b.notifier;
    this.settings = b.settings;
    this.budget = new TokenBudget(b.jdbi, b.config.dailyTokenBudget(), b.clock);
    this.killSwitch = new KillSwitch(b.jdbi);
    this.promptSha256 = promptSha256(b.tools);
    this.evidence = b.evidence;
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

  /** The one way to build the agent: {@code notifier} and {@code cooldowns} are required. */
  public static Builder builder(Config config, Jdbi jdbi) {
    return new Builder(config, jdbi);
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
      Optional<OpsRun> earlier = runId == null ? Optional.empty() : runs.find(tenantId, runId);
      if (earlier.isPresent() && (earlier.get().status() == RunStatus.COMPLETED
          || earlier.get().status() == RunStatus.SKIPPED)) {
        log.info("cycle already recorded under its run id, not run again tenant={} run={} status={}",
            tenantId, runId, earlier.get().status().wire());
        return earlier.get();
      }
      String id = runId == null || earlier.isPresent() ? Ids.newId() : runId;
      int orphans = runs.failOrphaned(tenantId, orphan -> orphanReason(orphan, runId, id));
      if (orphans > 0) {
        log.warn("orphaned runs marked failed tenant={} count={} run={}", tenantId, orphans, id);
      }
      if (earlier.isPresent()) {
        log.info("cycle retried under a new run id tenant={} retryOf={} run={} earlierStatus={}", tenantId,
            runId, id, earlier.get().status().wire());
      }
      MDC.put("tenant", tenantId);
      try {
        return runLocked(tenantId, trigger, id, held);
      } finally {
        MDC.remove("tenant");
        MDC.remove("run");
      }
    }
  }

  /**
   * Why the orphaned run {@code orphan} ended, as its {@code error}: this agent's own run cut off by
   * the database (it knows that run), else a lost worker; and who took over ({@code next}).
   */
  private String orphanReason(String orphan, String retried, String next) {
    String after = orphan.equals(retried) ? "; the cycle was retried as run " + next
        : "; marked failed when the tenant's next cycle (run " + next + ") started";
    String why = unrecorded.remove(orphan);
    if (why != null) {
      return DATABASE_OUTAGE + ": this worker is alive but lost its database connection during the cycle"
          + (why.isEmpty() ? ", so the cycle lock was released while the cycle ran"
              : " and could not record its outcome (" + why + ")") + after;
    }
    return WORKER_LOST + ": the process running this cycle stopped (died or was killed) or lost its"
        + " database session before recording an outcome" + after;
  }

  /** The innermost cause of {@code e}, short (a statement's exception also carries its arguments). */
  private static String rootCause(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String text = root.getClass().getSimpleName() + ": " + root.getMessage();
    return text.length() <= 300 ? text : text.substring(0, 299) + "…";
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

  private OpsRun runLocked(String tenantId, Trigger trigger, String runId, TenantCycleLock.Held held) {
    MDC.put("run", runId);
    Optional<String> paused = policy.skipReason(tenantId, trigger);
    if (paused.isPresent()) {
      OpsRun run = runs.skipped(tenantId, trigger, runId, SkipReason.CIRCUIT_OPEN, paused.get());
      log.info("cycle skipped tenant={} run={} skipReason=circuit_open reason=\"{}\"", tenantId, runId,
          paused.get());
      notifyPolicy(run);
      return run;
    }
    long t0 = System.nanoTime();
    TenantState state = gatherer.gather(tenantId);
    String stateJson = ContextBuilder.stateJson(state, runId);
    StateFingerprint fingerprint = StateFingerprint.of(stateJson, state.events());
    Instant now = clock.instant();
    if (trigger == Trigger.SCHEDULE && !reviewEveryCycle && unchanged(tenantId, fingerprint, now)) {
      OpsRun run = runs.skipped(tenantId, trigger, runId, SkipReason.UNCHANGED,
          "State unchanged since the last review; no model call.");
      log.info("cycle skipped tenant={} run={} skipReason=unchanged ms={}", tenantId, runId,
          (System.nanoTime() - t0) / 1_000_000);
      return run;
    }
    OpsRun run = runs.start(tenantId, trigger, runId);
    unrecorded.put(runId, "");
    Progress p = new Progress();
    RunOutcome outcome;
    try {
      outcome = review(run, state, stateJson, p, held);
    } catch (RuntimeException e) {
      // the database failed us (the row stays running): the cycle's retry labels it with this
      unrecorded.replace(runId, rootCause(e));
      throw e;
    }
    // recorded even when the lock was lost: finish only ever changes a row still running, so an
    // outcome recorded by whoever took the tenant over is never overwritten
    boolean lockHeld = held.isHeld();
    boolean recorded;
    try {
      recorded = runs.finish(runId, outcome);
    } catch (RuntimeException e) {
      unrecorded.replace(runId, rootCause(e));
      log.error("cycle outcome could not be recorded (the database failed; the run stays running until"
              + " the cycle's retry marks it failed) tenant={} run={} status={} summary=\"{}\" actions={}"
              + " error=\"{}\"", tenantId, runId, outcome.status().wire(), outcome.summary(),
          outcome.actionsJson(), rootCause(e));
      throw e;
    }
    unrecorded.remove(runId);
    if (!recorded) {
      log.error("cycle outcome could not be recorded (the tenant's cycle lock or the run row was taken"
              + " over) tenant={} run={} status={} summary=\"{}\" actions={}", tenantId, runId,
          outcome.status().wire(), outcome.summary(), outcome.actionsJson());
    } else if (!lockHeld) {
      log.warn("cycle lock lost (its database session died); outcome recorded, no further side effect"
          + " tenant={} run={} status={}", tenantId, runId, outcome.status().wire());
    }
    if (recorded && lockHeld && outcome.status() == RunStatus.COMPLETED) {
      memory.remember(tenantId, fingerprint, now, runId);
    }
    OpsRun done = runs.find(tenantId, runId).orElseThrow();
    log.atLevel(done.status() == RunStatus.FAILED ? org.slf4j.event.Level.WARN : org.slf4j.event.Level.INFO)
        .log("cycle finished tenant={} run={} trigger={} status={} steps={} calls={} refused={}"
            + " inputTokens={} outputTokens={} cacheReadTokens={} cacheWriteTokens={} costUsd={}"
            + " model={} ms={}{}", tenantId, runId, trigger.wire(), done.status().wire(), p.steps,
        p.session == null ? 0 : p.session.calls(), p.session == null ? 0 : p.session.refused(),
        p.tokens.input(), p.tokens.output(), p.tokens.cacheRead(), p.tokens.cacheWrite(),
        outcome.costUsd(), model.modelId(), (System.nanoTime() - t0) / 1_000_000,
        done.error() == null ? "" : " error=\"" + done.error() + "\"");
    if (lockHeld) { // without the lock, another holder may be running the tenant: no more alerts from here
      notifyPolicy(done);
    }
    return done;
  }

  /**
   * The page code sent for the report that queued this run, before the review (see
   * {@code Incidents#page}): listed in the run's actions as {@code "by": "code"}, so the audit trail
   * shows who paged; not a call of the model, not in its budget.
   */
  private void recordCodePages(OpsRun run, ToolSession session) {
    for (Delivery page : pages.codePagesOf(run.tenantId(), run.id())) {
      ObjectNode input = Json.MAPPER.createObjectNode().put("deploymentId", page.deploymentId())
          .put("workspaceId", page.workspaceId()).put("severity", page.severity().wire()).put("title", page.title());
      if (page.incidentKey() != null) {
        input.put("incidentKey", page.incidentKey());
      }
      session.recordByCode("page", input, "paged by code when the report arrived, before this review"
          + " (delivery " + page.id() + ", " + page.status().name().toLowerCase(java.util.Locale.ROOT) + ")");
    }
  }

  /** The review of a running cycle: its tool loop, whose failure is the outcome, not thrown. */
  private RunOutcome review(OpsRun run, TenantState state, String stateJson, Progress p,
      TenantCycleLock.Held held) {
    p.settings = settings.get(run.tenantId());
    try {
      p.session = new ToolSession(tools, gate.openCycle(), state, run.id(), stateJson,
          new ToolSession.Options(p.settings.mode() == Mode.DRY_RUN, killSwitch::engaged));
      recordCodePages(run, p.session);
      String summary = converse(run, state, stateJson, p, held);
      return outcome(RunStatus.COMPLETED, summary, p, p.note);
    } catch (Exception e) {
      String reason = e instanceof LockLostException ? e.getMessage()
          : e.getClass().getSimpleName() + ": " + e.getMessage();
      String summary = p.truncatedFirstStep ? "cycle failed: the model's reply was truncated"
          : "cycle failed: " + reason;
      return outcome(RunStatus.FAILED, summary, p, reason);
    }
  }

  /** A scheduled cycle needs no review when nothing that matters changed since a recent review. */
  private boolean unchanged(String tenantId, StateFingerprint fingerprint, Instant now) {
    return memory.last(tenantId)
        .filter(last -> now.isBefore(last.reviewedAt().plus(config.fullReviewInterval())))
        .filter(fingerprint::unchangedSince)
        .isPresent();
  }

  private RunOutcome outcome(RunStatus status, String summary, Progress p, String error) {
    ModelClient decider = p.decider == null ? model : p.decider;
    boolean rules = decider instanceof RulesEngine;
    BigDecimal cost = rules ? BigDecimal.ZERO : config.modelPrice()
        .map(price -> cost(price, p.tokens)).orElse(null);
    FallbackReason fallback = p.fallback != null ? p.fallback : rules ? FallbackReason.NO_API_KEY : null;
    return new RunOutcome(status, summary, p.actionsJson(), p.tokens, p.steps, decider.modelId(),
        fallback, cost, error, p.settings.mode() == Mode.DRY_RUN,
        p.reasoning.isEmpty() ? null : String.join("\n\n", p.reasoning),
        rules || p.steps == 0 ? null : promptSha256, p.requestIds);
  }

  /**
   * Why no model call may be made now, checked before every model call: the kill switch is engaged,
   * or the tenant's daily token budget is spent (counting this cycle's tokens so far; the first time
   * a tenant-day finds it spent, one warning alert says so, unless the tenant is in dry-run).
   */
  private Optional<FallbackReason> modelBlocked(String tenantId, String runId, Progress p) {
    if (killSwitch.engaged()) {
      return Optional.of(FallbackReason.KILL_SWITCH);
    }
    if (!budget.exhausted(tenantId, p.settings, p.tokens)) {
      return Optional.empty();
    }
    if (p.settings.mode() != Mode.DRY_RUN && budget.claimNotice(tenantId)) {
      try {
        notifier.send(new Alert(tenantId, null, Severity.WARNING, BUDGET_TITLE,
            "This tenant's daily token budget of " + budget.limit(p.settings) + " tokens is spent."
                + " Until midnight UTC the deterministic rules engine reviews instead of the model:"
                + " FAILED and DEGRADED deployments are still alerted.", runId));
      } catch (RuntimeException e) {
        log.warn("budget notice not recorded tenant={} run={} error={}", tenantId, runId, e.toString());
      }
    }
    log.info("daily token budget spent tenant={} run={} budget={}", tenantId, runId, budget.limit(p.settings));
    return Optional.of(FallbackReason.BUDGET_EXHAUSTED);
  }

  private static String blockedNote(FallbackReason reason) {
    return reason == FallbackReason.KILL_SWITCH ? "the kill switch was engaged mid-cycle"
        : "the daily token budget was spent mid-cycle";
  }

  /** One model call, accounted: steps, tokens, request id, and its text as reasoning. */
  private ModelReply call(ModelClient decider, List<ChatMessage> messages, boolean noMoreTools, Progress p) {
    ModelReply reply = decider.complete(new ModelRequest(SystemPrompt.TEXT, tools.specs(), messages,
        noMoreTools));
    p.steps++;
    p.tokens = p.tokens.plus(reply.usage());
    if (reply.requestId() != null) {
      p.requestIds.add(reply.requestId());
    }
    if (!reply.text().isEmpty()) {
      p.reasoning.add(reply.text());
    }
    return reply;
  }

  private static BigDecimal cost(ModelPrice price, TokenUsage t) {
    return price.cost(t.input(), t.output(), t.cacheWrite(), t.cacheRead());
  }

  private String converse(OpsRun run, TenantState state, String stateJson, Progress p, TenantCycleLock.Held held) {
    List<ChatMessage> messages = new ArrayList<>();
    messages.add(ChatMessage.userText(ContextBuilder.message(stateJson, evidence.gather(state))));
    int maxSteps = config.maxStepsPerCycle();
    p.decider = model;
    if (!(model instanceof RulesEngine)) {
      p.fallback = modelBlocked(run.tenantId(), run.id(), p).orElse(null);
      if (p.fallback != null) {
        p.decider = rules;
      }
    }
    while (true) {
      if (p.steps > 0 && !(p.decider instanceof RulesEngine)) {
        Optional<FallbackReason> blocked = modelBlocked(run.tenantId(), run.id(), p);
        if (blocked.isPresent()) {
          p.note = blockedNote(blocked.get());
          return withBudgetNote("Stopped: " + p.note + "; no further model call was made."
              + (p.lastText.isEmpty() ? "" : " Last model text: " + p.lastText), p);
        }
      }
      ModelReply reply = call(p.decider, messages, false, p);
      p.lastText = reply.text();
      if (reply.stopReason() == ModelReply.StopReason.MAX_TOKENS) {
        // the reply was cut off: its tool calls may be incomplete, so none of them is executed
        p.note = "truncated: the model's reply hit max_tokens in step " + p.steps
            + (reply.toolUses().isEmpty() ? "" : "; its " + reply.toolUses().size()
                + " tool call(s) were not executed");
        if (p.steps == 1) {
          p.truncatedFirstStep = true;
          throw new IllegalStateException(p.note);
        }
        String text = reply.text();
        return withBudgetNote("Stopped early (" + p.note + ")." + (text.isEmpty() ? "" : " " + text), p);
      }
      messages.add(ChatMessage.assistant(reply.content()));
      List<Block.ToolUse> uses = reply.toolUses();
      if (uses.isEmpty()) {
        return withBudgetNote(reply.text().isEmpty() ? "(the model gave no summary)" : reply.text(), p);
      }
      List<Block> results = new ArrayList<>();
      boolean unrecorded = false;
      for (Block.ToolUse use : uses) {
        if (!held.isHeld()) {
          throw new LockLostException();
        }
        int refusedBefore = p.session.refused();
        results.add(p.session.call(use));
        if (p.session.refused() == refusedBefore) {
          runs.recordActions(run.id(), p.session.actionsJson()); // it acted: recorded before the next call
          unrecorded = false;
        } else {
          unrecorded = true; // refused, no side effect: recorded with the turn (one write, not one per call)
        }
      }
      if (unrecorded) {
        runs.recordActions(run.id(), p.session.actionsJson());
      }
      if (p.steps >= maxSteps) {
        p.note = "step limit of " + maxSteps + " reached while the model was still calling tools";
        results.add(new Block.Text("The step limit of this cycle is reached: no more tool calls. Reply"
            + " with a short summary of what you found and did."));
        messages.add(ChatMessage.user(results));
        return withBudgetNote("Stopped: " + p.note + ". " + finalSummary(run, messages, p), p);
      }
      messages.add(ChatMessage.user(results));
    }
  }

  /** At the step limit: one last request, tools listed but {@code tool_choice: none}, for the summary. */
  private String finalSummary(OpsRun run, List<ChatMessage> messages, Progress p) {
    String last = p.lastText.isEmpty() ? "" : "Last model text: " + p.lastText;
    if (p.decider instanceof RulesEngine) {
      return last;
    }
    Optional<FallbackReason> blocked = modelBlocked(run.tenantId(), run.id(), p);
    if (blocked.isPresent()) {
      return "No summary was asked for: " + blockedNote(blocked.get()) + ". " + last;
    }
    try {
      ModelReply reply = call(p.decider, messages, true, p);
      return reply.text().isEmpty() ? last : reply.text();
    } catch (ModelException e) {
      // the cycle's work is done and recorded: a failed summary request does not fail it
      log.warn("summary request failed tenant={} run={} error={}", run.tenantId(), run.id(), e.getMessage());
      return "The summary request failed (" + e.getMessage() + "). " + last;
    }
  }

  private static String withBudgetNote(String summary, Progress p) {
    int over = p.session.refusedOverBudget();
    return over == 0 ? summary : summary + "\n[Action budget of " + p.session.budget()
        + " calls per cycle was hit: " + over + " call(s) refused.]";
  }

  private void notifyPolicy(OpsRun run) {
    try {
      policy.finished(run);
    } catch (RuntimeException e) {
      log.warn("cycle policy failed tenant={} run={} error={}", run.tenantId(), run.id(), e.toString());
    }
  }

  /** The tenant's cycle lock was lost mid-cycle (its database session died). */
  private static final class LockLostException extends RuntimeException {
    LockLostException() {
      super("cycle lock lost mid-cycle (its database session died): stopped before the next tool call");
    }
  }

  /** What a cycle has accumulated so far, kept when it fails midway. */
  private static final class Progress {
    ToolSession session;
    TenantSettings.Settings settings = TenantSettings.Settings.DEFAULT;
    ModelClient decider;
    FallbackReason fallback;
    final List<String> reasoning = new ArrayList<>();
    final List<String> requestIds = new ArrayList<>();
    String lastText = "";
    int steps;
    TokenUsage tokens = TokenUsage.NONE;
    String note;
    boolean truncatedFirstStep;

    String actionsJson() {
      return session == null ? "[]" : session.actionsJson();
    }
  }

  /**
   * Builds an {@link OpsAgent} with every guardrail wired: the configured action budget,
   * {@link CooldownChecks} (mutating cooldowns fail closed, alert de-duplication) and the
   * {@link CircuitBreakerPolicy} (pause, one pause alert, reset on success, deterministic critical
   * alerts while the model cannot be used). Tests use it too, with their fakes.
   */
  public static final class Builder {
    private final Config config;
    private final Jdbi jdbi;
    private Notifier notifier;
    private CooldownStore cooldowns;
    private ModelClient model;
    private OpsTools tools;
    private final List<OpsTools.Definition> extraTools = new ArrayList<>();
    private Clock clock = Clock.systemUTC();
    private ActionGate.Check actionChecks = ActionGate.Check.NONE;
    private Incidents incidents;
    private boolean reviewEveryCycle;
    private TenantSettings settings;
    private MeterRegistry meters;
    private EvidenceSource evidence = EvidenceSource.NONE;

    private Builder(Config config, Jdbi jdbi) {
      this.config = Objects.requireNonNull(config, "config");
      this.jdbi = Objects.requireNonNull(jdbi, "jdbi");
    }

    /** Where alerts go (required). */
    public Builder notifier(Notifier notifier) {
      this.notifier = notifier;
      return this;
    }

    /** The per-deployment action cooldowns (required): Redis, or in-memory for one process. */
    public Builder cooldowns(CooldownStore cooldowns) {
      this.cooldowns = cooldowns;
      return this;
    }

    /** The model; by default Claude when an API key is configured, else the rules engine. */
    public Builder model(ModelClient model) {
      this.model = model;
      return this;
    }

    /** Tools offered besides the standard ones (e.g. a test's mutating tool). */
    public Builder extraTools(List<OpsTools.Definition> more) {
      extraTools.addAll(more);
      return this;
    }

    /**
     * Further checks on tool calls (e.g. the blast radius of platform actions), run before the
     * cooldowns, so a call they refuse claims no cooldown.
     */
    public Builder actionChecks(ActionGate.Check checks) {
      this.actionChecks = actionChecks.andThen(Objects.requireNonNull(checks, "checks"));
      return this;
    }

    /**
     * The clock of the circuit breaker's pause, of the full-review interval and of the state's
     * time-derived facts ("backup overdue").
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * The incidents that alerts naming a deployment join (the worker's, whose reminders and
     * resolutions it runs); by default one over the same notifier and clock.
     */
    public Builder incidents(Incidents incidents) {
      this.incidents = incidents;
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

    /**
     * Where model calls are counted ({@code opsagent.model.calls} by outcome, see
     * {@link MeteredModelClient}); none by default.
     */
    public Builder meters(MeterRegistry meters) {
      this.meters = meters;
      return this;
    }

    /** What a review's first model request carries besides the state (none by default). */
    public Builder evidence(EvidenceSource evidence) {
      this.evidence = Objects.requireNonNull(evidence, "evidence");
      return this;
    }

    public OpsAgent build() {
      Objects.requireNonNull(notifier, "notifier");
      Objects.requireNonNull(cooldowns, "cooldowns");
      if (incidents == null) {
        incidents = new Incidents(jdbi, notifier, config.incidentReminder(), config.paging().watchdogAfter(),
            config.paging().watchdogInterval(), clock);
      }
      this.tools = OpsTools.standard(notifier, incidents).plus(extraTools);
      this.settings = new TenantSettings(jdbi, Mode.fromWire(config.defaultMode()));
      var deployments = new DeploymentRepository(jdbi);
      var alertCooldown = new AlertCooldown(jdbi, config);
      var breaker = new CircuitBreaker(jdbi, config.circuitPause(), clock);
      TenantSettings modes = settings;
      var policy = new CircuitBreakerPolicy(breaker, notifier, alertCooldown, deployments, incidents,
          tenantId -> modes.get(tenantId).mode() == Mode.DRY_RUN);
      // the storm cap before the alert window, which an alert it refuses must not claim
      var storm = new AlertStorm(jdbi, notifier, new AlertCooldown(jdbi, Duration.ofHours(1)),
          config.paging().maxAlertsPerTenantHour());
      var gate = new ActionGate(config.maxActionsPerCycle(),
          actionChecks.andThen(storm).andThen(new CooldownChecks(cooldowns, alertCooldown, deployments)));
      ModelClient decider = model != null ? model : ModelClient.fromConfig(config);
      if (meters != null && !(decider instanceof RulesEngine)) {
        // the rules engine is no model call; wrapping it would also hide it from the fallback checks
        decider = new MeteredModelClient(decider, meters);
      }
      return new OpsAgent(this, decider, gate, policy);
    }
  }
}
