package io.opsagent.action;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.opsagent.Json;
import io.opsagent.agent.guard.CooldownStore;
import io.opsagent.agent.tools.Refusal;
import io.opsagent.agent.tools.ActionClass;
import io.opsagent.agent.tools.OpsTools;
import io.opsagent.config.Config;
import io.opsagent.db.Database;
import io.opsagent.db.Ids;
import io.opsagent.platform.Deployment;
import io.opsagent.platform.DeploymentRepository;
import io.opsagent.queue.DeploymentJob;
import io.opsagent.queue.Queues;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code restartDeployment} and {@code rollbackDeployment}: mutating tools whose admitted call is
 * recorded in {@code ops_actions} ({@code queued}) and becomes a job on the {@code deployment} queue
 * in the same transaction, so an action is either both recorded and queued, or neither. The model
 * gets the action's id back at once; the platform is called by the job, not by the cycle.
 *
 * <p>That transaction re-checks the action's cooldown against {@code ops_actions} before it inserts,
 * holding a transaction-scoped advisory lock on the deployment (PostgreSQL), so of two insertions on
 * one deployment within the window at most one commits even if they race. {@link ActionLimits} has
 * already refused such a call under the tenant's cycle lock; this holds when that lock was lost. The
 * embedded database serves one process, whose in-process cycle lock cannot be lost. A call stopped
 * here fails like any tool whose execution throws (an error {@code tool_result} saying it is on
 * cooldown, recorded in the run as the call's failure) and queues nothing.
 */
final class ActionTools {
  private static final Logger log = LoggerFactory.getLogger(ActionTools.class);
  private static final ObjectMapper JSON = Json.MAPPER;
  static final String SEND = "platform-action";
  static final String VERIFY = "verify-action";

  private final Database db;
  private final ActionRepository actions;
  private final DeploymentRepository deployments;
  private final Config.Cooldowns cooldowns;
  private final Clock clock;

  ActionTools(Database db, ActionRepository actions, DeploymentRepository deployments, Config.Cooldowns cooldowns,
      Clock clock) {
    this.db = db;
    this.actions = actions;
    this.deployments = deployments;
    this.cooldowns = cooldowns;
    this.clock = clock;
  }

  List<OpsTools.Definition> definitions() {
    return List.of(
        new OpsTools.Definition(ActionKind.RESTART.tool(),
            "Asks the platform to restart a deployment. Mutating: use it only for a FAILED or DEGRADED"
                + " deployment whose history suggests a transient crash (not one that fails again after"
                + " every restart, and not one that broke right after a version change: roll that back)."
                + " At most one action per cycle; its effect is verified from the deployment's status.",
            schema("deploymentId", 64, "reason", 2000),
            ActionClass.MUTATING, (ctx, in) -> enqueue(ActionKind.RESTART, ctx, in)),
        new OpsTools.Definition(ActionKind.ROLLBACK.tool(),
            "Asks the platform to roll a deployment back to toVersion, a version it ran before (see"
                + " getDeploymentHistory). Mutating: use it only when the deployment started failing"
                + " right after a version change. At most one action per cycle; verified like a restart.",
            schema("deploymentId", 64, "toVersion", 100, "reason", 2000),
            ActionClass.MUTATING, (ctx, in) -> enqueue(ActionKind.ROLLBACK, ctx, in)));
  }

  private String enqueue(ActionKind kind, OpsTools.CallContext ctx, JsonNode in) {
    String deploymentId = in.get("deploymentId").asText();
    // the gate checked the tenant; look the deployment up again, scoped, for its workspace
    Deployment d = deployments.find(ctx.tenantId(), deploymentId)
        .orElseThrow(() -> new IllegalArgumentException("unknown deploymentId '" + deploymentId + "'"));
    Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
    OpsAction a = new OpsAction(Ids.newId(), d.tenantId(), d.workspaceId(), d.id(), kind,
        kind == ActionKind.ROLLBACK ? in.get("toVersion").asText() : null, in.get("reason").asText(),
        ctx.runId(), ActionStatus.QUEUED, 0, null, now, null, null);
    Duration window = cooldowns.of(kind.tool(), CooldownStore.DEFAULT_ACTION_COOLDOWN);
    db.jdbi().useTransaction(h -> {
      if (!db.embedded()) {
        // held until this transaction ends; one (void) row
        h.createQuery("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))")
            .bind("key", "ops-action:" + d.id()).mapToMap().one();
      }
      Optional<Refusal> cooling = ActionLimits.cooldownRefusal(
          actions.lastAdmittedAfter(h, d.id(), kind, now.minus(window)), d.id(), kind, window, now);
      if (cooling.isPresent()) {
        log.warn("action not queued: on cooldown in the database tenant={} run={} action={} deployment={}",
            a.tenantId(), a.runId(), kind.wire(), d.id());
        throw new IllegalStateException(cooling.get().message());
      }
      actions.insert(h, a);
      Queues.scheduleDeploymentJob(h.getConnection(), db, a.id(), job(SEND, a), now);
    });
    log.info("action queued tenant={} run={} action={} id={} deployment={}{}", a.tenantId(), a.runId(),
        kind.wire(), a.id(), d.id(), a.toVersion() == null ? "" : " toVersion=" + a.toVersion());
    return kind.wire() + " of deployment '" + d.name() + "' queued as action " + a.id()
        + "; the platform is asked now and the outcome is verified from the deployment's status."
        + " Do not repeat it in this or the next cycles; alert people if it does not help.";
  }

  static DeploymentJob job(String kind, OpsAction a) {
    return new DeploymentJob(kind, a.tenantId(), a.deploymentId(), Map.of("actionId", a.id()));
  }

  /** A closed object schema of required, non-empty strings: (name, maxLength) pairs. */
  private static ObjectNode schema(Object... pairs) {
    ObjectNode s = JSON.createObjectNode().put("type", "object");
    ObjectNode props = s.putObject("properties");
    var required = s.putArray("required");
    for (int i = 0; i < pairs.length; i += 2) {
      props.putObject((String) pairs[i]).put("type", "string").put("minLength", 1)
          .put("maxLength", (Integer) pairs[i + 1]);
      required.add((String) pairs[i]);
    }
    s.put("additionalProperties", false);
    return s;
  }
}
