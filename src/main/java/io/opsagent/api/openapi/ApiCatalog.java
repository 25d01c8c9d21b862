package io.opsagent.api.openapi;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The description of every route the worker serves, as OpenAPI 3 ({@code GET /openapi.json}).
 * A test compares it with the routes registered on the server: a route added without an entry
 * here fails the build. The README's API table says the same in prose.
 */
public final class ApiCatalog {
  private ApiCatalog() {}

  /** The OpenAPI document of the whole API. */
  public static ObjectNode openApi(String version) {
    OpenApiDoc doc = new OpenApiDoc("opsagent", version,
        "The HTTP API of the opsagent worker. Everything under /api/ needs `Authorization: Bearer"
            + " <OPSAGENT_API_TOKEN>` (401 otherwise). Every error is JSON {\"error\": \"...\"}: 400 bad"
            + " input, 401, 404 unknown route or object (another tenant's object too), 405, 413,"
            + " 503 while the database is unreachable. Routes that take query parameters refuse unknown"
            + " or repeated ones with 400.");
    schemas(doc);
    platform(doc);
    channels(doc);
    ops(doc);
    keys(doc);
    open(doc);
    return doc.json();
  }

  private static void schemas(OpenApiDoc doc) {
    doc.schema("Tenant", "a tenant with its agent status",
        "id", "string", "", "name", "string", "", "createdAt", "date-time", "",
        "opsEnabled", "boolean", "the schedule switch (…/ops/schedule)",
        "paused", "boolean", "true while the circuit breaker is open",
        "pausedUntil", "date-time", "when the next probe cycle may run (only while paused)",
        "mode", "string", "live", "failed", "integer", "FAILED deployments",
        "degraded", "integer", "DEGRADED deployments",
        "unpageable", "boolean", "a FAILED or DEGRADED deployment has no enabled channel to be paged on",
        "lastRun", "$Run", "latest run (absent when none)");
    doc.schema("CreatedTenant", "a new tenant", "id", "string", "", "name", "string", "");
    doc.schema("Workspace", "a workspace of a tenant",
        "id", "string", "", "tenantId", "string", "", "name", "string", "", "externalId", "string", "",
        "source", "string", "api, or e.g. kubernetes", "createdAt", "date-time", "");
    doc.schema("Inventory", "what a reconcile of the inventory did (each list: [{id, externalId}] per kind)",
        "changed", "boolean", "false when the inventory already matched",
        "created", "object", "{workspaces, deployments}", "updated", "object", "{workspaces, deployments}",
        "removed", "object", "{workspaces, deployments}: soft-deleted",
        "leftAlone", "object", "{workspaces, deployments} of another source", "unchanged", "integer", "");
    doc.schema("Event", "a recorded event", "id", "string", "", "deploymentId", "string", "", "type", "string", "",
        "status", "string", "", "message", "string", "", "createdAt", "date-time", "");
    doc.schema("Deployment", "a deployment (null where nothing is recorded)",
        "id", "string", "", "tenantId", "string", "", "workspaceId", "string", "", "name", "string", "",
        "externalId", "string", "", "source", "string", "api, or e.g. kubernetes",
        "status", "PENDING|DEPLOYING|RUNNING|DEGRADED|FAILED|STOPPED", "",
        "version", "string", "", "latestVersion", "string", "", "versionCheckedAt", "date-time", "",
        "healthUrl", "string", "", "backupSchedule", "string", "", "lastBackupAt", "date-time", "",
        "lastBackupStatus", "succeeded|failed", "", "createdAt", "date-time", "", "updatedAt", "date-time", "");
    doc.schema("DeploymentEvent", "a recorded event, and whether it queued a cycle",
        "id", "string", "", "deploymentId", "string", "", "type", "string", "", "status", "string", "",
        "message", "string", "", "createdAt", "date-time", "", "cycleQueued", "boolean", "",
        "reason", "string", "why no cycle was queued (only then)");
    doc.schema("Channel", "a notification channel (its configuration is never echoed)",
        "id", "string", "", "tenantId", "string", "", "workspaceId", "string", "null: tenant-wide",
        "type", "webhook|slack|email|pagerduty", "", "name", "string", "", "enabled", "boolean", "",
        "failing", "boolean", "its deliveries failed for 60 s in a row, none succeeded since",
        "lastError", "string", "the latest failed attempt's error, while none succeeded since (only then)");
    doc.schema("Delivery", "one alert on its way to one channel",
        "id", "string", "the webhook-id", "tenantId", "string", "", "channelId", "string", "",
        "workspaceId", "string", "", "runId", "string", "", "deploymentId", "string", "",
        "incidentKey", "string", "", "alertStatus", "firing|update|resolved|acknowledged", "acknowledged: PagerDuty channels only",
        "by", "code|model", "who decided to send it",
        "severity", "critical|warning|info", "", "title", "string", "", "body", "string", "",
        "status", "pending|delivered|failed", "", "attempts", "integer", "", "lastError", "string", "",
        "createdAt", "date-time", "", "deliveredAt", "date-time", "");
    doc.schema("Run", "one agent cycle of a tenant",
        "id", "string", "", "tenantId", "string", "", "status", "running|completed|failed|skipped", "",
        "trigger", "schedule|manual|event", "", "startedAt", "date-time", "", "finishedAt", "date-time", "",
        "summary", "string", "", "actionsJson", "[object]", "every tool call: {name, input, allowed, result, reason}",
        "inputTokens", "integer", "", "outputTokens", "integer", "", "cacheReadTokens", "integer", "",
        "cacheWriteTokens", "integer", "", "costUsd", "number", "", "steps", "integer", "",
        "model", "string", "", "error", "string", "", "skipReason", "unchanged|circuit_open", "",
        "fallbackReason", "no_api_key|budget_exhausted|kill_switch", "");
    doc.schema("CycleQueued", "a queued cycle",
        "tenantId", "string", "", "queued", "boolean", "always true",
        "pending", "boolean", "true when queued behind a running cycle",
        "runId", "string", "the id the run is recorded under; shared by triggers that coalesce");
    doc.schema("ApiKey", "a scoped API key (never the key itself)", "id", "string", "", "name", "string", "",
        "role", "admin|platform|tenant|viewer", "", "tenantId", "string", "the one tenant it sees (tenant, viewer)",
        "createdAt", "date-time", "", "revokedAt", "date-time", "only when revoked");
    doc.schema("CreatedApiKey", "a key just created", "id", "string", "", "name", "string", "",
        "role", "admin|platform|tenant|viewer", "", "tenantId", "string", "", "createdAt", "date-time", "",
        "key", "string", "the key: shown only in this answer");
    doc.schema("Schedule", "a tenant's recurring cycle",
        "enabled", "boolean", "", "interval", "string", "ISO-8601 duration", "nextRunAt", "date-time", "");
    doc.schema("UsageDay", "a tenant's model usage on one UTC day",
        "day", "string", "", "runs", "integer", "", "skippedRuns", "integer", "", "modelCalls", "integer", "",
        "inputTokens", "integer", "", "outputTokens", "integer", "", "cacheReadTokens", "integer", "",
        "cacheWriteTokens", "integer", "", "costUsd", "number", "");
    doc.schema("Settings", "a tenant's agent settings",
        "mode", "string", "live | dry-run", "dailyTokenBudget", "integer", "null = the default",
        "effectiveDailyTokenBudget", "integer", "the budget that applies");
    doc.schema("KillSwitch", "the cluster-wide kill switch",
        "engaged", "boolean", "", "reason", "string", "", "since", "date-time", "");
    doc.schema("Action", "a restart or rollback the agent asked the platform for",
        "id", "string", "the idempotency id sent on every attempt", "deploymentId", "string", "",
        "workspaceId", "string", "", "action", "string", "restart | rollback", "toVersion", "string", "",
        "reason", "string", "", "runId", "string", "",
        "status", "string", "queued | sent | cancelled | failed | helped | not_helped",
        "attempts", "integer", "", "lastError", "string", "", "requestedAt", "date-time", "",
        "sentAt", "date-time", "", "finishedAt", "date-time", "");
    doc.schema("Incident", "one problem of one deployment, from its first alert until it is over",
        "id", "string", "", "incidentKey", "string", "{tenantId}:{deploymentId}:{problem}",
        "deploymentId", "string", "", "workspaceId", "string", "",
        "problem", "failed|degraded|backup_failed|backup_overdue", "read from the deployment's state",
        "severity", "critical|warning|info", "of the alert that opened it", "status", "open|resolved", "",
        "title", "string", "of the alert that opened it", "alerts", "integer", "alerts recorded on it",
        "openedAt", "date-time", "", "lastNotifiedAt", "date-time", "the page or the last reminder",
        "pageStatus", "unpaged|paged", "paged once a firing delivery reached a receiver",
        "pagedAt", "date-time", "when the first one did (only when paged)",
        "pagingSince", "date-time", "only while unpaged with a page being retried: when it was recorded",
        "resolvedAt", "date-time", "only when resolved", "acknowledgedAt", "date-time", "only when acknowledged");
    doc.schema("Health", "the dependencies' state", "status", "up|degraded|down",
        "down: a required dependency (the database) fails; degraded: only an optional one (Redis) does",
        "checks", "object", "each dependency: up, down (required, failing) or degraded (optional, failing)");
    doc.schema("Liveness", "the process serves HTTP", "status", "string", "always up");
  }

  private static void platform(OpenApiDoc doc) {
    doc.op("POST", "/api/tenants", "Create a tenant").body("name", "string", "at most 200 characters")
        .answers(201, "the tenant", "$CreatedTenant");
    doc.op("GET", "/api/tenants", "List tenants with their agent status, in id order")
        .query("limit", "integer", "default 100, at most 1000").query("after", "string", "the last id of the previous page")
        .query("externalId", "string", "only the live tenant with this externalId")
        .answers(200, "the tenants", "[$Tenant]");
    doc.op("GET", "/api/tenants/{tenantId}", "One tenant with its agent status").answers(200, "the tenant", "$Tenant");
    doc.op("POST", "/api/tenants/{tenantId}/workspaces", "Create a workspace").body("name", "string", "")
        .answers(201, "the workspace", "$Workspace");
    doc.op("GET", "/api/tenants/{tenantId}/workspaces", "List the tenant's workspaces, by name")
        .query("externalId", "string", "only the live workspace with this externalId")
        .answers(200, "the workspaces", "[$Workspace]");
    doc.op("POST", "/api/workspaces/{workspaceId}/deployments", "Create a deployment")
        .body("name", "string", "", "status?", "PENDING|DEPLOYING|RUNNING|DEGRADED|FAILED|STOPPED", "default RUNNING",
            "version?", "string", "")
        .answers(201, "the deployment", "$Deployment");
    doc.op("GET", "/api/workspaces/{workspaceId}/deployments", "List the workspace's deployments, by name")
        .query("externalId", "string", "only the live deployment with this externalId")
        .answers(200, "the deployments", "[$Deployment]");
    doc.op("PATCH", "/api/deployments/{deploymentId}", "Change a deployment's facts (only the fields given; null clears)")
        .body("version?", "string", "recorded as a version_changed event", "latestVersion?", "string", "also sets versionCheckedAt",
            "healthUrl?", "string", "http or https URL", "backupSchedule?", "string", "",
            "lastBackupAt?", "date-time", "", "lastBackupStatus?", "succeeded|failed", "a successful, timely backup resolves backup incidents")
        .answers(200, "the deployment", "$Deployment");
    doc.op("POST", "/api/deployments/{deploymentId}/events",
            "Record a deployment event; a status moves the deployment (FAILED/DEGRADED queue a cycle, RUNNING resolves its incidents)")
        .body("type", "string", "", "message?", "string", "", "status?", "PENDING|DEPLOYING|RUNNING|DEGRADED|FAILED|STOPPED", "")
        .answers(201, "the event", "$DeploymentEvent");
    doc.op("PATCH", "/api/tenants/{tenantId}", "Rename a tenant or change its externalId (409: taken)")
        .body("name?", "string", "", "externalId?", "string", "null clears").answers(200, "the tenant", "$Tenant");
    doc.op("DELETE", "/api/tenants/{tenantId}",
        "Delete a tenant with its workspaces and deployments (soft: the agent stops watching, history stays)")
        .answers(204, "deleted", null);
    doc.op("GET", "/api/workspaces/{workspaceId}", "One workspace").answers(200, "the workspace", "$Workspace");
    doc.op("PATCH", "/api/workspaces/{workspaceId}", "Rename a workspace or change its externalId (409: taken)")
        .body("name?", "string", "", "externalId?", "string", "null clears").answers(200, "the workspace", "$Workspace");
    doc.op("DELETE", "/api/workspaces/{workspaceId}", "Delete a workspace with its deployments (soft)")
        .answers(204, "deleted", null);
    doc.op("GET", "/api/deployments/{deploymentId}", "One deployment").answers(200, "the deployment", "$Deployment");
    doc.op("DELETE", "/api/deployments/{deploymentId}",
        "Delete a deployment (soft: no more state, pages or incidents for it; history stays)")
        .answers(204, "deleted", null);
    doc.op("GET", "/api/deployments/{deploymentId}/events", "The deployment's events, newest first")
        .query("limit", "integer", "default 50, at most 200").query("before", "string", "the last id of the previous page")
        .answers(200, "the events", "[$Event]");
    doc.op("PUT", "/api/tenants/{tenantId}/inventory",
            "Make the tenant's workspaces and deployments match this full list, by externalId, in one transaction")
        .body("workspaces", "[object]",
            "[{externalId, name, deployments: [{externalId, name, status?, version?, healthUrl?, backupSchedule?}]}]")
        .answers(200, "what changed", "$Inventory");
  }

  private static void channels(OpenApiDoc doc) {
    doc.op("POST", "/api/tenants/{tenantId}/notification-channels", "Create a notification channel")
        .body("type", "webhook|slack|email|pagerduty", "", "name", "string", "",
            "config", "object", "webhook/slack: {url, secret?}; email: {to}; pagerduty: {routingKey, url?}",
            "workspaceId?", "string", "absent: tenant-wide")
        .answers(201, "the channel", "$Channel");
    doc.op("GET", "/api/tenants/{tenantId}/notification-channels", "List the tenant's channels")
        .answers(200, "the channels", "[$Channel]");
    doc.op("PATCH", "/api/tenants/{tenantId}/notification-channels/{channelId}", "Change a channel")
        .body("enabled?", "boolean", "", "name?", "string", "", "config?", "object", "replaces the whole configuration")
        .answers(200, "the channel", "$Channel");
    doc.op("DELETE", "/api/tenants/{tenantId}/notification-channels/{channelId}",
        "Delete a channel (soft: the delivery log keeps its rows)").answers(204, "deleted", null);
    doc.op("GET", "/api/tenants/{tenantId}/notifications", "The delivery log, newest first")
        .query("limit", "integer", "").answers(200, "the deliveries", "[$Delivery]");
    doc.op("GET", "/api/tenants/{tenantId}/incidents", "The tenant's incidents, newest first")
        .query("status", "open|resolved", "only these").answers(200, "the incidents", "[$Incident]");
    doc.op("POST", "/api/tenants/{tenantId}/incidents/{incidentId}/ack", "Acknowledge an incident: no more reminders")
        .answers(200, "the incident", "$Incident");
  }

  private static void ops(OpenApiDoc doc) {
    doc.op("GET", "/api/tenants/{tenantId}/ops/settings", "The tenant's mode and daily token budget")
        .answers(200, "the settings", "$Settings");
    doc.op("PUT", "/api/tenants/{tenantId}/ops/settings", "Change the mode and/or the daily token budget")
        .body("mode?", "string", "live | dry-run", "dailyTokenBudget?", "integer", "null = the default; 0 = never call the model")
        .answers(200, "the settings", "$Settings");
    doc.op("GET", "/api/ops/kill-switch", "The cluster-wide kill switch").answers(200, "the switch", "$KillSwitch");
    doc.op("PUT", "/api/ops/kill-switch", "Engage the kill switch: no model call leaves any worker")
        .body("reason?", "string", "at most 500 characters").answers(200, "the switch", "$KillSwitch");
    doc.op("DELETE", "/api/ops/kill-switch", "Release the kill switch").answers(200, "the switch", "$KillSwitch");
    doc.op("POST", "/api/tenants/{tenantId}/ops/cycles", "Queue a cycle now (manual)")
        .answers(202, "queued", "$CycleQueued");
    doc.op("GET", "/api/tenants/{tenantId}/ops/runs", "The tenant's runs, newest first")
        .query("limit", "integer", "default 20, at most 200").query("before", "string", "the last id of the previous page")
        .query("status", "running|completed|failed|skipped", "").query("trigger", "schedule|manual|event", "")
        .answers(200, "the runs", "[$Run]");
    doc.op("GET", "/api/tenants/{tenantId}/ops/runs/{runId}", "One run").answers(200, "the run", "$Run");
    doc.op("GET", "/api/tenants/{tenantId}/ops/actions", "The tenant's platform actions, newest first")
        .query("limit", "integer", "default 20").answers(200, "the actions", "[$Action]");
    doc.op("GET", "/api/tenants/{tenantId}/ops/usage", "Model usage per UTC day, newest first")
        .query("days", "integer", "default 30, at most 366").answers(200, "the days", "[$UsageDay]");
    doc.op("GET", "/api/tenants/{tenantId}/ops/schedule", "The tenant's recurring cycle").answers(200, "the schedule", "$Schedule");
    doc.op("PUT", "/api/tenants/{tenantId}/ops/schedule", "Switch the recurring cycle on").answers(200, "the schedule", "$Schedule");
    doc.op("DELETE", "/api/tenants/{tenantId}/ops/schedule", "Switch the recurring cycle off").answers(200, "the schedule", "$Schedule");
  }

  private static void keys(OpenApiDoc doc) {
    doc.op("POST", "/api/keys", "Create a scoped API key (admin keys only); the key is shown only in this answer")
        .body("name", "string", "at most 200 characters", "role", "admin|platform|tenant|viewer", "",
            "tenantId?", "string", "required for tenant, optional for viewer")
        .answers(201, "the key", "$CreatedApiKey");
    doc.op("GET", "/api/keys", "Every key, revoked ones included (admin keys only)").answers(200, "the keys", "[$ApiKey]");
    doc.op("DELETE", "/api/keys/{keyId}", "Revoke a key: its requests and sessions are refused at once (admin keys only)")
        .answers(204, "revoked", null);
  }

  private static void open(OpenApiDoc doc) {
    doc.op("GET", "/health", "Readiness, as /health/ready (kept for existing monitors); no auth")
        .answers(200, "up or degraded", "$Health").answers(503, "down", "$Health");
    doc.op("GET", "/health/live", "Liveness: 200 while the process serves HTTP, no dependency asked;"
        + " no auth").answers(200, "alive", "$Liveness");
    doc.op("GET", "/health/ready", "Readiness: 503 while the database does not answer; 200 otherwise,"
        + " Redis down shown as degraded; no auth")
        .answers(200, "up or degraded", "$Health").answers(503, "down", "$Health");
    doc.op("GET", "/metrics", "Prometheus metrics; no auth").text(200, "text format 0.0.4", "text/plain");
    doc.op("GET", "/openapi.json", "This document; no auth").answers(200, "OpenAPI 3", "object");
    doc.op("GET", "/openapi", "Swagger UI over this document; no auth").text(200, "an HTML page", "text/html");
    dashboard(doc);
  }

  /** The dashboard's pages and buttons (HTML; a session cookie from /ui/login instead of the bearer token). */
  private static void dashboard(OpenApiDoc doc) {
    String html = "text/html";
    doc.op("GET", "/ui/login", "Dashboard: the login form; no auth").text(200, "an HTML page", html);
    doc.op("POST", "/ui/login", "Dashboard: log in with an API key (form field token); opens a session, sets its cookie")
        .text(303, "to /ui/", html);
    doc.op("POST", "/ui/logout", "Dashboard: end the session (CSRF token required)").text(303, "to /ui/login", html);
    doc.op("GET", "/ui/static/{file}", "Dashboard: its script and stylesheet").text(200, "the file", "text/plain");
    doc.op("GET", "/ui/", "Dashboard: every tenant's agent status").text(200, "an HTML page", html);
    doc.op("GET", "/ui/fragments/tenants", "Dashboard: the tenants table, for live updates").text(200, "an HTML fragment", html);
    doc.op("GET", "/ui/fragments/kill-switch", "Dashboard: the kill switch banner, for live updates").text(200, "an HTML fragment", html);
    doc.op("POST", "/ui/kill-switch/engage", "Dashboard: engage the kill switch (form field reason, required; CSRF token required)").answers(200, "the new state (JSON, for the page's script)", "object").text(303, "back to the page, for a plain form", html);
    doc.op("POST", "/ui/kill-switch/release", "Dashboard: release the kill switch (CSRF token required)").answers(200, "the new state (JSON, for the page's script)", "object").text(303, "back to the page, for a plain form", html);
    doc.op("GET", "/ui/tenants/{tenantId}", "Dashboard: one tenant's runs, usage and status").text(200, "an HTML page", html);
    doc.op("GET", "/ui/tenants/{tenantId}/fragments/live", "Dashboard: a tenant's live parts").text(200, "an HTML fragment", html);
    doc.op("POST", "/ui/tenants/{tenantId}/run", "Dashboard: queue a manual cycle (CSRF token required)").answers(200, "the new state (JSON, for the page's script)", "object").text(303, "back to the page, for a plain form", html);
    doc.op("POST", "/ui/tenants/{tenantId}/incidents/{incidentId}/ack", "Dashboard: acknowledge an open incident of the tenant: no more reminders (CSRF token required)").answers(200, "the new state (JSON, for the page's script)", "object").text(303, "back to the page, for a plain form", html).text(404, "no such incident of this tenant", "text/plain");
    doc.op("POST", "/ui/tenants/{tenantId}/enable", "Dashboard: switch the schedule on (CSRF token required)").answers(200, "the new state (JSON, for the page's script)", "object").text(303, "back to the page, for a plain form", html);
    doc.op("POST", "/ui/tenants/{tenantId}/disable", "Dashboard: switch the schedule off (CSRF token required)").answers(200, "the new state (JSON, for the page's script)", "object").text(303, "back to the page, for a plain form", html);
  }
}
