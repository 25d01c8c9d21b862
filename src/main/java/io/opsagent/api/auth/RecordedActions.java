package io.opsagent.api.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.http.Context;
import io.opsagent.api.JsonBody;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The API's changes whose key is recorded ({@link WhoDidIt}), after they succeeded: the kill
 * switch, mode and budget, acknowledgements, manual cycles, schedule switches ({@link KeyRoutes}
 * records key changes itself, the dashboard its own buttons).
 */
final class RecordedActions {
  private static final Logger log = LoggerFactory.getLogger(RecordedActions.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final WhoDidIt who;

  RecordedActions(WhoDidIt who) {
    this.who = who;
  }

  /** Records what a successful request to {@code template} did, if it is one of the recorded changes. */
  void record(Context ctx, Caller caller, String template) {
    String method = ctx.method().name();
    String tenantId = ctx.pathParamMap().get("tenantId");
    try {
      switch (method + " " + template) {
        case "PUT /api/ops/kill-switch" -> who.record(caller, "kill-switch.engage", null, null, null);
        case "DELETE /api/ops/kill-switch" -> who.record(caller, "kill-switch.release", null, null, null);
        case "POST /api/tenants/{tenantId}/incidents/{incidentId}/ack" ->
            who.record(caller, "incident.ack", tenantId, ctx.pathParam("incidentId"), null);
        case "POST /api/tenants/{tenantId}/ops/cycles" ->
            who.record(caller, "cycle.run", tenantId, field(ctx.result(), "runId"), null);
        case "PUT /api/tenants/{tenantId}/ops/schedule" -> who.record(caller, "schedule.on", tenantId, null, null);
        case "DELETE /api/tenants/{tenantId}/ops/schedule" ->
            who.record(caller, "schedule.off", tenantId, null, null);
        case "PUT /api/tenants/{tenantId}/ops/settings" -> settingsChanged(ctx, caller, tenantId);
        default -> { }
      }
    } catch (RuntimeException e) {
      // the change is made; only its record is missing, which the log says
      log.warn("who-did-it not recorded method={} path={} key={} error={}", method, template, caller.keyId(),
          e.toString());
    }
  }

  private void settingsChanged(Context ctx, Caller caller, String tenantId) {
    try {
      JsonNode body = JSON.readTree(JsonBody.read(ctx));
      if (body.has("mode")) {
        who.record(caller, "settings.mode", tenantId, null, body.get("mode").asText());
      }
      if (body.has("dailyTokenBudget")) {
        who.record(caller, "settings.budget", tenantId, null, body.get("dailyTokenBudget").asText());
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static String field(String json, String name) {
    try {
      JsonNode n = json == null ? null : JSON.readTree(json);
      return n == null || !n.has(name) ? null : n.get(name).asText();
    } catch (java.io.IOException e) {
      return null;
    }
  }
}
