package io.opsagent.agent;

import io.opsagent.agent.cycle.ContextBuilder;
import io.opsagent.agent.cycle.StateGatherer;
import io.opsagent.agent.cycle.SystemPrompt;
import io.opsagent.agent.cycle.TenantCycleLock;
import io.opsagent.agent.cycle.TenantState;
import io.opsagent.agent.cycle.ToolSession;
import io.opsagent.agent.guard.ActionGate;
import io.opsagent.agent.guard.CyclePolicy;
import io.opsagent.agent.llm.Block;
import io.opsagent.agent.llm.ChatMessage;
import io.opsagent.agent.llm.ModelClient;
import io.opsagent.agent.llm.ModelReply;
import io.opsagent.agent.llm.ModelRequest;
import io.opsagent.agent.run.OpsRun;
import io.opsagent.agent.run.RunRepository;
import io.opsagent.agent.run.RunStatus;
import io.opsagent.agent.run.Trigger;
import io.opsagent.agent.tools.OpsTools;
import io.opsagent.config.Config;
import io.opsagent.notify.Notifier;
import io.opsagent.platform.TenantRepository;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * One ops cycle for one tenant (after the original {@code loop.ts}): record the start, gather the
 * state, send it as one message, run the model's tool loop, record the outcome.
 *
 * <p>Guarantees: every cycle that is not skipped leaves exactly one run row, finished
 * {@code completed} or {@code failed} (with the reason), carrying every tool call, the number of
 * model calls (steps, at most {@code maxSteps}), the summed tokens and the model id. Nothing a tool
 * does bypasses {@link OpsTools}' pipeline. {@link CyclePolicy} may skip a cycle and is told every
 * outcome. MDC carries {@code tenant} and {@code run} during the cycle; one log line per cycle.
 *
 * <p>Steps are model calls. When the model still asks for tools in step {@code maxSteps}, those
 * calls go through the pipeline like any other (an alert asked for is not lost), then the cycle
 * ends {@code completed} with the step limit as its summary and {@code error}.
 */
public final class OpsAgent implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(OpsAgent.class);
  static final String ORPHANED = "worker stopped mid-cycle (the process died or was killed);"
      + " marked failed when the tenant's next cycle started";

  private final TenantRepository tenants;
  private final RunRepository runs;
  private final StateGatherer gatherer;
  private final ModelClient model;
  private final OpsTools tools;
  private final ActionGate guardrails;
  private final CyclePolicy hooks;
  private final TenantCycleLock lock;
  private final int maxSteps;

  public OpsAgent(Jdbi jdbi, ModelClient model, OpsTools tools, ActionGate guardrails,
      CyclePolicy hooks, int maxSteps) {
    if (maxSteps < 1) {
      throw new IllegalArgumentException("maxSteps must be >= 1");
    }
    this.tenants = new TenantRepository(jdbi);
    this.runs = new RunRepository(jdbi);
    this.gatherer = new StateGatherer(jdbi);
    this.model = model;
    this.tools = tools;
    this.guardrails = guardrails;
    this.hooks = hooks;
    this.lock = TenantCycleLock.forJdbi(jdbi);
    this.maxSteps = maxSteps;
  }

  /**
   * The loop as configured: the model (or rules engine) per {@code config}, the standard tools over
   * {@code notifier}, guardrails with the configured action budget plus {@code check}.
   */
  public static OpsAgent create(Config config, Jdbi jdbi, Notifier notifier, ActionGate.Check check,
      CyclePolicy hooks) {
    return new OpsAgent(jdbi, ModelClient.fromConfig(config), OpsTools.standard(notifier),
        new ActionGate(config.maxActionsPerCycle(), check), hooks, config.maxStepsPerCycle());
  }

  /**
   * Runs one cycle now, in this thread, and returns the finished (or skipped) run. Failures of the
   * cycle are recorded in the run, not thrown; throws {@link UnknownTenantException} (recording
   * nothing) when the tenant does not exist, and {@link CycleAlreadyRunningException} when another
   * cycle of the tenant holds its {@link TenantCycleLock} anywhere (a worker, the CLI).
   *
   * <p>Holding the lock, any {@code running} row of the tenant is certainly orphaned (its holder
   * died and lost the lock with its session): it is marked failed before the cycle starts.
   */
  public OpsRun runOpsCycle(String tenantId, Trigger trigger) {
    if (tenants.find(tenantId).isEmpty()) {
      throw new UnknownTenantException(tenantId);
    }
    try (TenantCycleLock.Held held = lock.tryLock(tenantId)
        .orElseThrow(() -> new CycleAlreadyRunningException(tenantId))) {
      int orphans = runs.failOrphaned(tenantId, ORPHANED);
      if (orphans > 0) {
        log.warn("orphaned runs marked failed tenant={} count={}", tenantId, orphans);
      }
      return runLocked(tenantId, trigger);
    }
  }

  /** Closes the model client (its HTTP connections and threads). */
  @Override
  public void close() {
    model.close();
  }

  /** True while a cycle of the tenant runs anywhere (it holds the tenant's cycle lock). */
  public boolean isCycleRunning(String tenantId) {
    Optional<TenantCycleLock.Held> held = lock.tryLock(tenantId);
    held.ifPresent(TenantCycleLock.Held::close);
    return held.isEmpty();
  }

  private OpsRun runLocked(String tenantId, Trigger trigger) {
    Optional<String> skip = hooks.skipReason(tenantId, trigger);
    if (skip.isPresent()) {
      OpsRun run = runs.skipped(tenantId, trigger, skip.get());
      log.info("cycle skipped tenant={} run={} reason={}", tenantId, run.id(), skip.get());
      notifyHooks(run);
      return run;
    }
    OpsRun run = runs.start(tenantId, trigger);
    MDC.put("tenant", tenantId);
    MDC.put("run", run.id());
    long t0 = System.nanoTime();
    Progress p = new Progress();
    try {
      try {
        String summary = converse(tenantId, run.id(), p);
        runs.finish(run.id(), RunStatus.COMPLETED, summary, p.actionsJson(), p.inputTokens,
            p.outputTokens, p.steps, model.modelId(), p.note);
      } catch (Exception e) {
        String reason = e.getClass().getSimpleName() + ": " + e.getMessage();
        runs.finish(run.id(), RunStatus.FAILED, "cycle failed: " + reason, p.actionsJson(),
            p.inputTokens, p.outputTokens, p.steps, model.modelId(), reason);
      }
      OpsRun done = runs.find(tenantId, run.id()).orElseThrow();
      log.info("cycle finished tenant={} run={} status={} steps={} calls={} refused={} inputTokens={}"
              + " outputTokens={} model={} ms={}{}", tenantId, run.id(), done.status().wire(), p.steps,
          p.session == null ? 0 : p.session.calls(), p.session == null ? 0 : p.session.refused(),
          p.inputTokens, p.outputTokens, model.modelId(), (System.nanoTime() - t0) / 1_000_000,
          done.error() == null ? "" : " error=\"" + done.error() + "\"");
      notifyHooks(done);
      return done;
    } finally {
      MDC.remove("tenant");
      MDC.remove("run");
    }
  }

  private String converse(String tenantId, String runId, Progress p) {
    TenantState state = gatherer.gather(tenantId, runId);
    String stateJson = ContextBuilder.stateJson(state, runId);
    p.session = new ToolSession(tools, guardrails.openCycle(), state, runId, stateJson);
    List<ChatMessage> messages = new ArrayList<>();
    messages.add(ChatMessage.userText(ContextBuilder.message(stateJson)));
    while (true) {
      ModelReply reply = model.complete(new ModelRequest(SystemPrompt.TEXT, tools.specs(), messages));
      p.steps++;
      p.inputTokens += reply.inputTokens();
      p.outputTokens += reply.outputTokens();
      messages.add(ChatMessage.assistant(reply.content()));
      List<Block.ToolUse> uses = reply.toolUses();
      if (uses.isEmpty()) {
        return withBudgetNote(reply.text().isEmpty() ? "(the model gave no summary)" : reply.text(), p);
      }
      List<Block> results = new ArrayList<>();
      uses.forEach(u -> results.add(p.session.call(u)));
      messages.add(ChatMessage.user(results));
      if (p.steps >= maxSteps) {
        p.note = "step limit of " + maxSteps + " reached while the model was still calling tools";
        String last = reply.text().isEmpty() ? "" : " Last model text: " + reply.text();
        return withBudgetNote("Stopped: " + p.note + "." + last, p);
      }
    }
  }

  private static String withBudgetNote(String summary, Progress p) {
    int over = p.session.refusedOverBudget();
    return over == 0 ? summary : summary + "\n[Action budget of " + p.session.budget()
        + " calls per cycle was hit: " + over + " call(s) refused.]";
  }

  private void notifyHooks(OpsRun run) {
    try {
      hooks.finished(run);
    } catch (RuntimeException e) {
      log.warn("cycle hook failed tenant={} run={} error={}", run.tenantId(), run.id(), e.toString());
    }
  }

  /** What a cycle has accumulated so far, kept when it fails midway. */
  private static final class Progress {
    ToolSession session;
    int steps;
    long inputTokens;
    long outputTokens;
    String note;

    String actionsJson() {
      return session == null ? "[]" : session.actionsJson();
    }
  }
}
