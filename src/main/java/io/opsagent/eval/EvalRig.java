package io.opsagent.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import io.opsagent.Json;
import io.opsagent.action.ActionStatus;
import io.opsagent.action.OpsAction;
import io.opsagent.agent.run.OpsRun;
import io.opsagent.config.Config;
import io.opsagent.db.Ids;
import io.opsagent.eval.EvalCase.DeploymentSeed;
import io.opsagent.eval.EvalCase.EventSeed;
import io.opsagent.eval.EvalCase.WorkspaceSeed;
import io.opsagent.notify.ChannelType;
import io.opsagent.notify.Delivery;
import io.opsagent.notify.DeliveryStatus;
import io.opsagent.platform.Deployment;
import io.opsagent.platform.DeploymentEvent;
import io.opsagent.platform.DeploymentStatus;
import io.opsagent.platform.Tenant;
import io.opsagent.platform.Workspace;
import io.opsagent.queue.JobType;
import io.opsagent.queue.Queues;
import io.opsagent.queue.Wakeup;
import io.opsagent.queue.schedule.Trigger;
import io.opsagent.worker.Root;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * The real cycle, built once per case the way the {@code cycle} command builds it
 * ({@link Root#open}: the same context, system prompt, tools, guardrails and rules-engine
 * fallback), on a fresh in-memory embedded database, so no case sees another's rows, cooldowns or
 * budget. The world around it is local and recording: the tenant's one webhook channel and the
 * platform's control endpoint ({@code OPSAGENT_PLATFORM_CONTROL_URL}) are {@link Receiver}s, and a
 * restart or rollback travels the deployment queue and the signed control call as in production.
 * The investigation tools are the real ones, configured to reach {@link ToolEndpoints}, which
 * answers their probes, log requests and metrics queries from the case ({@link ToolAnswers}).
 *
 * <p>This is the one place that knows how the agent is constructed: the decider comes from the
 * environment as for the worker ({@code ANTHROPIC_API_KEY} set: Claude; unset: the rules engine).
 */
public final class EvalRig implements AutoCloseable {
  private static final Duration SETTLE = Duration.ofSeconds(20);
  private static final List<String> MUTATING = List.of("restartDeployment", "rollbackDeployment");

  private final Map<String, String> env;
  private final Receiver hooks = new Receiver();
  private final Receiver platform = new Receiver();
  private final ToolEndpoints tools = new ToolEndpoints();
  private final String runKey = Ids.newId();
  private final AtomicInteger cases = new AtomicInteger();
  /** The harness's one clock: each case's graph runs on it (its queues need real time). */
  private final java.time.Clock clock = java.time.Clock.systemUTC();

  /** {@code env}: the process environment (model settings are taken from it; the database is not). */
  public EvalRig(Map<String, String> env) {
    this.env = Map.copyOf(env);
    config(0); // a bad setting fails here, before any case runs
  }

  Config config(int n) {
    Map<String, String> e = new HashMap<>(env);
    e.put("OPSAGENT_DB_URL", "jdbc:hsqldb:mem:opsagent-eval-" + runKey + "-" + n
        + ";sql.syntax_pgs=true;hsqldb.tx=mvcc");
    e.remove("OPSAGENT_DB_USER");
    e.remove("OPSAGENT_DB_PASSWORD");
    e.remove("OPSAGENT_REDIS_URL");
    e.remove("OPSAGENT_SECRET_KEY");
    e.putAll(tools.env()); // the investigation tools reach the case's answers, never the environment's
    e.put("OPSAGENT_ALLOW_PRIVATE_WEBHOOKS", "true");
    e.put("OPSAGENT_DEFAULT_MODE", "live");
    e.put("OPSAGENT_PLATFORM_CONTROL_URL", platform.url() + "control");
    byte[] secret = new byte[24];
    new SecureRandom().nextBytes(secret);
    e.put("OPSAGENT_PLATFORM_CONTROL_SECRET", Base64.getEncoder().encodeToString(secret));
    return Config.fromEnv(e);
  }

  java.time.Clock clock() {
    return clock;
  }

  /** Who decides in this run: a model id, or {@code rules}. */
  public String decider() {
    Config c = config(0);
    return c.llm().configured() ? c.llm().model() : io.opsagent.agent.llm.RulesEngine.MODEL_ID;
  }

  /** Seeds the case into a fresh database, runs one cycle, and waits for its pages and actions to leave. */
  Observation run(EvalCase c) {
    int n = cases.incrementAndGet();
    try (Root s = Root.open(config(n), clock); Wakeup wakeup = new Wakeup(s.db())) {
      s.notifier().start();
      Queues queues = new Queues(s.db(), s.config().scheduling(), s.config().llm(), s.config().actions(),
          Tasks.oneTime(JobType.OPS_CYCLE.taskName()).execute((instance, ctx) -> { }),
          job -> s.actions().filter(a -> a.handles(job)).ifPresent(a -> a.handle(job)), List.of(), s.clock());
      queues.start(wakeup);
      try {
        return cycle(s, wakeup, c);
      } finally {
        queues.close();
      }
    }
  }

  private Observation cycle(Root s, Wakeup wakeup, EvalCase c) {
    Map<String, String> placeholders = new LinkedHashMap<>();
    Map<String, String> names = new HashMap<>();
    Tenant t = seed(s, c, placeholders, names);
    try {
      return observe(s, wakeup, t, hasEvents(c), placeholders, names);
    } finally {
      names.keySet().forEach(tools::forget);
    }
  }

  private Observation observe(Root s, Wakeup wakeup, Tenant t, boolean events, Map<String, String> placeholders,
      Map<String, String> names) {
    long t0 = System.nanoTime();
    OpsRun run = s.agent().runOpsCycle(t.id(), events ? Trigger.EVENT : Trigger.SCHEDULE);
    long millis = (System.nanoTime() - t0) / 1_000_000;
    wakeup.wake(JobType.Queue.DEPLOYMENT);
    await(() -> actionsOf(s, run).stream().noneMatch(a -> a.status() == ActionStatus.QUEUED));
    await(() -> deliveriesOf(s, run).stream().allMatch(d -> d.status() != DeliveryStatus.PENDING || d.attempts() > 0));
    List<JsonNode> attempted = new ArrayList<>();
    try {
      for (JsonNode a : Json.MAPPER.readTree(run.actionsJson())) {
        if (MUTATING.contains(a.path("name").asText())) {
          attempted.add(a);
        }
      }
    } catch (java.io.IOException e) {
      throw new IllegalStateException("unreadable actionsJson of run " + run.id(), e);
    }
    return new Observation(run, hooks.of(t.id()), platform.of(t.id()), attempted, names, placeholders, millis);
  }

  private static boolean hasEvents(EvalCase c) {
    return c.workspaces().stream().flatMap(w -> w.deployments().stream()).anyMatch(d -> !d.events().isEmpty());
  }

  private Tenant seed(Root s, EvalCase c, Map<String, String> placeholders, Map<String, String> names) {
    Instant now = s.clock().instant();
    Tenant t = s.tenants().create("eval " + c.name());
    placeholders.put("${tenant}", t.id());
    for (String other : c.otherTenants()) {
      placeholders.put("${tenant:" + other + "}", s.tenants().create(other).id());
    }
    Map<DeploymentSeed, Deployment> created = new LinkedHashMap<>();
    for (WorkspaceSeed ws : c.workspaces()) {
      Workspace w = s.workspaces().create(t.id(), ws.name());
      placeholders.put("${workspace:" + ws.name() + "}", w.id());
      for (DeploymentSeed d : ws.deployments()) {
        Instant born = now.minus(d.age());
        String id = Ids.newId();
        // only a deployment the case gives probe answers has a health endpoint
        String healthUrl = c.tools().health().containsKey(d.name()) ? tools.healthUrl(id) : null;
        Deployment dep = new Deployment(id, t.id(), w.id(), d.name(), DeploymentStatus.valueOf(d.status()),
            d.version(), d.latestVersion(), d.latestVersion() == null ? null : now, d.backupSchedule(),
            d.lastBackupAgo() == null ? null : now.minus(d.lastBackupAgo()), d.lastBackupStatus(), healthUrl, born,
            born);
        s.deployments().insert(dep);
        placeholders.put("${deployment:" + d.name() + "}", dep.id());
        names.put(dep.id(), d.name());
        created.put(d, dep);
      }
    }
    // events after every object exists, so their messages may name any of them
    var jdbi = s.db().jdbi();
    for (Map.Entry<DeploymentSeed, Deployment> e : created.entrySet()) {
      Instant last = e.getValue().createdAt();
      Instant statusAt = last;
      for (EventSeed ev : e.getKey().events()) {
        Deployment current = s.deployments().find(t.id(), e.getValue().id()).orElseThrow();
        String message = ev.message() == null ? null : resolve(ev.message(), placeholders);
        DeploymentEvent recorded = s.deployments().recordEvent(current, ev.type(),
            ev.status() == null ? null : DeploymentStatus.valueOf(ev.status()), message, ev.version());
        Instant at = now.minus(ev.ago());
        jdbi.useHandle(h -> h.createUpdate("UPDATE deployment_events SET created_at = :at WHERE id = :id")
            .bind("at", at).bind("id", recorded.id()).execute());
        last = at;
        if (ev.status() != null && !ev.status().equals(current.status().name())) {
          statusAt = at;
        }
      }
      Instant updated = last;
      Instant changed = statusAt;
      jdbi.useHandle(h -> h.createUpdate(
              "UPDATE deployments SET updated_at = :u, status_changed_at = :c WHERE id = :id")
          .bind("u", updated).bind("c", changed).bind("id", e.getValue().id()).execute());
    }
    created.values().forEach(dep -> script(c.tools(), dep, placeholders));
    if (c.channel()) {
      s.channels().create(t.id(), null, ChannelType.WEBHOOK, "on-call",
          Json.MAPPER.createObjectNode().put("url", hooks.url() + "hook"));
    }
    return t;
  }

  /** What the tools will answer about {@code dep}: the case's answers for its name, placeholders resolved. */
  private void script(ToolAnswers answers, Deployment dep, Map<String, String> placeholders) {
    List<ToolAnswers.Health> health = answers.health().getOrDefault(dep.name(), List.of()).stream()
        .map(h -> new ToolAnswers.Health(h.unreachable(), h.status(), h.ms(), resolve(h.body(), placeholders)))
        .toList();
    ToolAnswers.Logs logs = answers.logs().getOrDefault(dep.name(), new ToolAnswers.Logs(List.of(), List.of()));
    tools.script(dep.id(), health, new ToolAnswers.Logs(
            logs.lines().stream().map(l -> resolve(l, placeholders)).toList(),
            logs.previous().stream().map(l -> resolve(l, placeholders)).toList()),
        answers.metrics().getOrDefault(dep.name(), Map.of()));
  }

  static String resolve(String text, Map<String, String> placeholders) {
    String out = text;
    for (Map.Entry<String, String> p : placeholders.entrySet()) {
      out = out.replace(p.getKey(), p.getValue());
    }
    return out;
  }

  private static List<OpsAction> actionsOf(Root s, OpsRun run) {
    return s.actions().map(a -> a.actions().list(run.tenantId(), 100).stream()
        .filter(x -> run.id().equals(x.runId())).toList()).orElse(List.of());
  }

  private static List<Delivery> deliveriesOf(Root s, OpsRun run) {
    return s.notifications().listByTenant(run.tenantId(), 200).stream().filter(d -> run.id().equals(d.runId())).toList();
  }

  /** Waits (bounded) for what the cycle queued to leave the process; a slow receiver shows in the score. */
  private static void await(BooleanSupplier done) {
    long deadline = System.nanoTime() + SETTLE.toNanos();
    while (!done.getAsBoolean() && System.nanoTime() - deadline < 0) {
      LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
    }
  }

  @Override
  public void close() {
    hooks.close();
    platform.close();
    tools.close();
  }
}
