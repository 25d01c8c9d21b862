package io.opsagent.api.routes;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.opsagent.api.ApiException;
import io.opsagent.api.ApiServer;
import io.opsagent.api.JsonBody;
import io.opsagent.api.PathTenant;
import io.opsagent.api.QueryParams;
import io.opsagent.platform.Deployment;
import io.opsagent.platform.DeploymentRepository;
import io.opsagent.platform.DeploymentStatus;
import io.opsagent.platform.PlatformObjects;
import io.opsagent.platform.Tenant;
import io.opsagent.platform.TenantRepository;
import io.opsagent.platform.Workspace;
import io.opsagent.platform.WorkspaceRepository;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Tenants, workspaces, deployments and deployment events. A deployment that becomes RUNNING tells
 * {@link PlatformListener} so its tenant is scheduled at once; a status reported through an event
 * (how failures arrive) does the same, so a failure can be looked at without waiting a whole interval.
 * The facts the agent reasons about besides the status (versions, health URL, backups) are changed
 * with {@code PATCH}; a version change is recorded as a {@code version_changed} event.
 */
public final class PlatformRoutes implements ApiServer.Routes {
  private static final Set<String> PATCHABLE = Set.of("version", "latestVersion", "healthUrl",
      "backupSchedule", "lastBackupAt", "lastBackupStatus", "name", "externalId");
  private static final Set<String> BACKUP_STATUSES = Set.of("succeeded", "failed");
  private final ObjectMapper json;
  private final TenantRepository tenants;
  private final WorkspaceRepository workspaces;
  private final DeploymentRepository deployments;
  private final PlatformListener listener;
  private java.util.function.Consumer<String> tenantCreated = tenantId -> {};
  private PlatformObjects objects;

  /** Told about platform changes the agent reacts to. */
  public interface PlatformListener {
    /** Reacts to a reported status change; says whether a cycle of the tenant was queued. */
    Reaction deploymentStatusChanged(Deployment deployment, DeploymentStatus newStatus);

    /** The deployment's facts (versions, backups, health URL) were changed; {@code deployment} as changed. */
    default void deploymentFactsChanged(Deployment deployment) {}
  }

  /** Whether an event queued a cycle of its tenant, and why not when it did not. */
  public record Reaction(boolean cycleQueued, String reason) {
    public static final Reaction QUEUED = new Reaction(true, null);

    public static Reaction notQueued(String reason) {
      return new Reaction(false, reason);
    }
  }

  public PlatformRoutes(ObjectMapper json, TenantRepository tenants, WorkspaceRepository workspaces,
      DeploymentRepository deployments, PlatformListener listener) {
    this.json = json;
    this.tenants = tenants;
    this.workspaces = workspaces;
    this.deployments = deployments;
    this.listener = listener;
  }

  /**
   * Creates and renames through {@code objects}: names and external ids unique per parent among
   * live objects (409 naming the holder). Without it, objects are created as given.
   */
  public PlatformRoutes withObjects(PlatformObjects objects) {
    this.objects = objects;
    return this;
  }

  /** Told the id of each tenant created through the API (it then gets its initial agent settings). */
  public PlatformRoutes onTenantCreated(java.util.function.Consumer<String> hook) {
    this.tenantCreated = hook;
    return this;
  }

  @Override
  public void register(Javalin app) {
    app.post("/api/tenants", this::createTenant);
    app.post("/api/tenants/{tenantId}/workspaces", this::createWorkspace);
    app.get("/api/tenants/{tenantId}/workspaces", ctx -> {
      var externalId = QueryParams.of(ctx, "externalId").get("externalId");
      String tenantId = PathTenant.require(ctx, tenants);
      ctx.json((externalId.isPresent() ? workspaces.findByExternalId(tenantId, externalId.get()).stream().toList()
          : workspaces.listByTenant(tenantId)).stream().map(PlatformRoutes::workspaceJson).toList());
    });
    app.post("/api/workspaces/{workspaceId}/deployments", this::createDeployment);
    app.get("/api/workspaces/{workspaceId}/deployments", ctx -> {
      var externalId = QueryParams.of(ctx, "externalId").get("externalId");
      String workspaceId = workspace(ctx).id();
      ctx.json((externalId.isPresent() ? deployments.findByExternalId(workspaceId, externalId.get()).stream().toList()
          : deployments.listByWorkspace(workspaceId)).stream().map(PlatformRoutes::deploymentJson).toList());
    });
    app.patch("/api/deployments/{deploymentId}", this::patchDeployment);
    app.post("/api/deployments/{deploymentId}/events", this::recordEvent);
  }

  private void createTenant(Context ctx) {
    JsonBody body = JsonBody.parse(json, ctx);
    String name = body.required("name", 200);
    String externalId = body.optional("externalId", 200).orElse(null);
    Tenant t = objects != null ? objects.createTenant(name, externalId) : tenants.create(name);
    tenantCreated.accept(t.id());
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("id", t.id());
    out.put("name", t.name());
    if (t.externalId() != null) {
      out.put("externalId", t.externalId());
    }
    ctx.status(201).json(out);
  }

  private void createWorkspace(Context ctx) {
    String tenantId = PathTenant.require(ctx, tenants);
    JsonBody body = JsonBody.parse(json, ctx);
    String name = body.required("name", 200);
    String externalId = body.optional("externalId", 200).orElse(null);
    Workspace w = objects != null ? objects.createWorkspace(tenantId, name, externalId)
        : workspaces.create(tenantId, name);
    ctx.status(201).json(workspaceJson(w));
  }

  private void createDeployment(Context ctx) {
    Workspace w = workspace(ctx);
    JsonBody body = JsonBody.parse(json, ctx);
    String name = body.required("name", 200);
    DeploymentStatus status = body.optional("status", 16).map(DeploymentStatus::parse)
        .orElse(DeploymentStatus.RUNNING);
    String version = body.optional("version", 100).orElse(null);
    String externalId = body.optional("externalId", 200).orElse(null);
    Deployment d = objects != null ? objects.createDeployment(w, name, status, version, externalId)
        : deployments.create(w, name, status, version);
    listener.deploymentStatusChanged(d, status);
    ctx.status(201).json(deploymentJson(d));
  }

  private void recordEvent(Context ctx) {
    Deployment d = deployment(ctx);
    JsonBody body = JsonBody.parse(json, ctx);
    String type = body.required("type", 100);
    String message = body.optionalText("message", 4000).orElse(null);
    DeploymentStatus status = body.optional("status", 16).map(DeploymentStatus::parse).orElse(null);
    String version = body.optional("version", 100).orElse(null);
    var event = deployments.recordEvent(d, type, status, message, version);
    Reaction reaction = status == null
        ? Reaction.notQueued("no status change: the tenant's next scheduled cycle reviews this event")
        : status == d.status()
            ? Reaction.notQueued("status unchanged (" + status.name() + "): the tenant's next scheduled cycle reviews this event")
            : listener.deploymentStatusChanged(d, status);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("id", event.id());
    out.put("deploymentId", d.id());
    out.put("type", type);
    out.put("status", status == null ? null : status.name());
    out.put("message", message);
    if (version != null) {
      out.put("version", version);
    }
    out.put("createdAt", event.createdAt());
    out.put("cycleQueued", reaction.cycleQueued());
    if (reaction.reason() != null) {
      out.put("reason", reaction.reason());
    }
    ctx.status(201).json(out);
  }

  private void patchDeployment(Context ctx) {
    Deployment d = deployment(ctx);
    JsonBody body = JsonBody.parse(json, ctx);
    body.allowOnly(PATCHABLE);
    if (body.isNull("version")) {
      throw ApiException.badRequest("'version' cannot be cleared");
    }
    if (body.has("name") || body.has("externalId")) {
      if (objects == null) {
        throw ApiException.badRequest("renaming is not available here");
      }
      String name = PlatformObjectRoutes.name(body, d.name());
      String externalId = PlatformObjectRoutes.externalId(body, d.externalId());
      objects.renameDeployment(d, name, externalId);
      d = deployments.find(d.id()).orElseThrow(() -> ApiException.notFound("deployment"));
    }
    String version = body.optional("version", 100).orElse(d.version());
    String latest = body.has("latestVersion") ? body.optional("latestVersion", 100).orElse(null) : d.latestVersion();
    String healthUrl = body.has("healthUrl") ? body.optional("healthUrl", 2000).map(PlatformRoutes::httpUrl).orElse(null)
        : d.healthUrl();
    String schedule = body.has("backupSchedule") ? body.optional("backupSchedule", 100).orElse(null)
        : d.backupSchedule();
    var lastBackupAt = body.has("lastBackupAt") ? body.optionalInstant("lastBackupAt").orElse(null) : d.lastBackupAt();
    String backupStatus = body.has("lastBackupStatus")
        ? body.optional("lastBackupStatus", 16).map(PlatformRoutes::backupStatus).orElse(null)
        : d.lastBackupStatus();
    var checkedAt = body.has("latestVersion") ? io.opsagent.db.Times.now() : d.versionCheckedAt();
    Deployment changed = new Deployment(d.id(), d.tenantId(), d.workspaceId(), d.name(), d.status(),
        version, latest, checkedAt, schedule, lastBackupAt, backupStatus, healthUrl, d.createdAt(),
        d.updatedAt(), d.externalId(), d.source());
    Deployment updated = deployments.updateFacts(d, changed);
    listener.deploymentFactsChanged(updated);
    ctx.json(deploymentJson(updated));
  }

  private Workspace workspace(Context ctx) {
    return workspaces.find(PathTenant.id(ctx, "workspaceId", "workspace"))
        .orElseThrow(() -> ApiException.notFound("workspace"));
  }

  private Deployment deployment(Context ctx) {
    return deployments.find(PathTenant.id(ctx, "deploymentId", "deployment"))
        .orElseThrow(() -> ApiException.notFound("deployment"));
  }

  static String httpUrl(String raw) {
    try {
      URI uri = new URI(raw);
      if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null) {
        return raw;
      }
    } catch (URISyntaxException e) {
      // answered below
    }
    throw ApiException.badRequest("'healthUrl' must be an http or https URL");
  }

  private static String backupStatus(String raw) {
    if (!BACKUP_STATUSES.contains(raw)) {
      throw ApiException.badRequest("'lastBackupStatus' must be one of succeeded, failed");
    }
    return raw;
  }

  static Map<String, Object> workspaceJson(Workspace w) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("id", w.id());
    out.put("tenantId", w.tenantId());
    out.put("name", w.name());
    out.put("externalId", w.externalId());
    out.put("source", w.source());
    out.put("createdAt", w.createdAt());
    return out;
  }

  static Map<String, Object> deploymentJson(Deployment d) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("id", d.id());
    out.put("tenantId", d.tenantId());
    out.put("workspaceId", d.workspaceId());
    out.put("name", d.name());
    out.put("externalId", d.externalId());
    out.put("source", d.source());
    out.put("status", d.status().name());
    out.put("version", d.version());
    out.put("latestVersion", d.latestVersion());
    out.put("versionCheckedAt", d.versionCheckedAt());
    out.put("healthUrl", d.healthUrl());
    out.put("backupSchedule", d.backupSchedule());
    out.put("lastBackupAt", d.lastBackupAt());
    out.put("lastBackupStatus", d.lastBackupStatus());
    out.put("createdAt", d.createdAt());
    out.put("updatedAt", d.updatedAt());
    return out;
  }
}
