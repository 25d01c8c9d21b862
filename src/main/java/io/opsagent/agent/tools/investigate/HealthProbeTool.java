package io.opsagent.agent.tools.investigate;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.opsagent.Json;
import io.opsagent.agent.tools.ActionClass;
import io.opsagent.agent.tools.OpsTools;
import io.opsagent.platform.Deployment;

/**
 * {@code probeHealth {deploymentId}}: a safe tool making one GET of the deployment's
 * {@code healthUrl} ({@link HealthProbe}: SSRF guard, 2 s) and returning what it answered. Offered
 * always, so the tool definitions stay the same bytes for every tenant; a deployment without a
 * {@code healthUrl} answers {@code "outcome": "no_health_url"}.
 */
final class HealthProbeTool {
  static final String NAME = "probeHealth";

  private HealthProbeTool() {}

  static OpsTools.Definition definition(Scope scope, HealthProbe probe, RecentEvidence recent) {
    ObjectNode schema = Json.MAPPER.createObjectNode().put("type", "object");
    schema.putObject("properties").putObject("deploymentId").put("type", "string").put("minLength", 1)
        .put("maxLength", 64);
    schema.putArray("required").add("deploymentId");
    schema.put("additionalProperties", false);
    return new OpsTools.Definition(NAME,
        "Makes one GET of a deployment's health URL now (2 s timeout) and returns the HTTP status,"
            + " the latency in ms and the first 1 KB of the body (redacted). Use it to tell a"
            + " deployment that is down (no answer, or an error status) from one that is flapping or"
            + " has recovered (it answers 2xx) before paging or acting.",
        schema, ActionClass.SAFE, (ctx, in) -> {
          Deployment d = scope.deployment(ctx.tenantId(), in.get("deploymentId").asText());
          return probe(probe, recent, d).toString();
        });
  }

  static ObjectNode probe(HealthProbe probe, RecentEvidence recent, Deployment d) {
    if (d.healthUrl() == null || d.healthUrl().isBlank()) {
      return Json.MAPPER.createObjectNode().put("deploymentId", d.id()).put("outcome", "no_health_url")
          .put("detail", "this deployment has no healthUrl: nothing to probe");
    }
    HealthProbe.Result r = probe.probe(d.healthUrl());
    recent.health(d, r);
    ObjectNode out = Json.MAPPER.createObjectNode().put("deploymentId", d.id());
    out.setAll(r.json());
    return out;
  }
}
