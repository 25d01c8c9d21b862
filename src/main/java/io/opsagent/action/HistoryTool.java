package io.opsagent.action;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.opsagent.Json;
import io.opsagent.agent.tools.ActionClass;
import io.opsagent.agent.tools.OpsTools;
import io.opsagent.db.Times;
import io.opsagent.platform.Deployment;
import io.opsagent.platform.DeploymentRepository;
import java.util.LinkedHashSet;
import java.util.Set;
import org.jdbi.v3.core.Jdbi;

/**
 * {@code getDeploymentHistory(deploymentId, limit?)}: a safe tool returning the deployment's recent
 * events (with the versions they moved it to) and the versions it has run, so the model can tell
 * "crashed right after the 14:02 deploy" (roll back) from "crashes every night" (a restart will not
 * help). Offered whether or not actions are enabled; tenant-scoped like every deployment tool.
 */
public final class HistoryTool {
  public static final String NAME = "getDeploymentHistory";
  static final int DEFAULT_LIMIT = 20;
  static final int MAX_LIMIT = 100;
  private static final ObjectMapper JSON = Json.MAPPER;

  private HistoryTool() {}

  public static OpsTools.Definition definition(Jdbi jdbi, DeploymentRepository deployments) {
    ObjectNode schema = JSON.createObjectNode().put("type", "object");
    ObjectNode props = schema.putObject("properties");
    props.putObject("deploymentId").put("type", "string").put("minLength", 1).put("maxLength", 64);
    props.putObject("limit").put("type", "integer").put("minimum", 1).put("maximum", MAX_LIMIT);
    schema.putArray("required").add("deploymentId");
    schema.put("additionalProperties", false);
    return new OpsTools.Definition(NAME,
        "Returns a deployment's recent events, newest first (type, status, message, and the version"
            + " a deploy moved it to), and every version it has run. Use it before acting: a failure"
            + " right after a version change suggests rollbackDeployment to the previous version;"
            + " repeated failures on the same version suggest that a restart will not help.",
        schema, ActionClass.SAFE, (ctx, in) -> history(jdbi, deployments, ctx, in));
  }

  private static String history(Jdbi jdbi, DeploymentRepository deployments, OpsTools.CallContext ctx,
      JsonNode in) {
    String id = in.get("deploymentId").asText();
    Deployment d = deployments.find(ctx.tenantId(), id)
        .orElseThrow(() -> new IllegalArgumentException("unknown deploymentId '" + id + "'"));
    int limit = Math.max(1, Math.min(MAX_LIMIT, in.path("limit").asInt(DEFAULT_LIMIT)));
    ObjectNode out = JSON.createObjectNode().put("deploymentId", d.id()).put("name", d.name())
        .put("status", d.status().name()).put("version", d.version());
    ArrayNode events = out.putArray("events");
    Set<String> versions = new LinkedHashSet<>();
    if (d.version() != null) {
      versions.add(d.version());
    }
    jdbi.useHandle(h -> h.createQuery("""
            SELECT type, status, message, version, previous_version, created_at FROM deployment_events
            WHERE tenant_id = :tenantId AND deployment_id = :id
            ORDER BY created_at DESC, id DESC LIMIT :limit""")
        .bind("tenantId", ctx.tenantId()).bind("id", d.id()).bind("limit", limit)
        .map((rs, c) -> {
          ObjectNode e = events.addObject()
              .put("at", Times.instant(rs.getTimestamp("created_at")).toString())
              .put("type", rs.getString("type"));
          putIfSet(e, "status", rs.getString("status"));
          putIfSet(e, "message", rs.getString("message"));
          putIfSet(e, "version", rs.getString("version"));
          putIfSet(e, "previousVersion", rs.getString("previous_version"));
          return e;
        }).list());
    jdbi.useHandle(h -> h.createQuery("""
            SELECT version, previous_version FROM deployment_events
            WHERE tenant_id = :tenantId AND deployment_id = :id AND version IS NOT NULL
            ORDER BY created_at DESC, id DESC""")
        .bind("tenantId", ctx.tenantId()).bind("id", d.id())
        .map((rs, c) -> {
          versions.add(rs.getString("version"));
          if (rs.getString("previous_version") != null) {
            versions.add(rs.getString("previous_version"));
          }
          return 0;
        }).list());
    versions.forEach(out.putArray("versionsRun")::add);
    return out.toString();
  }

  private static void putIfSet(ObjectNode o, String field, String value) {
    if (value != null) {
      o.put(field, value);
    }
  }
}
