package io.opsagent.api.routes;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.http.Context;
import io.opsagent.api.ApiException;
import io.opsagent.api.ApiRoute;
import io.opsagent.api.ApiServer;
import io.opsagent.api.JsonBody;
import io.opsagent.api.Line;
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
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Tenants, workspaces, deployments and deployment events. A deployment that becomes RUNNING tells
 * {@link PlatformListener} so its tenant is scheduled at once; a status reported through an event
 * (how failures arrive) does the same, so a failure can be looked at without waiting a whole interval.
 * The facts the agent reasons about besides the status (versions, health URL, backups) are changed
 * with {@code PATCH}; a version change is recorded as a {@code version_changed} event. With
 * {@link PlatformObjects} ({@link #withObjects}), names and external ids are unique per parent among
 * live objects: one already held is a 409 {@code {"error", "id"}} naming the holder.
 */
public final class PlatformRoutes implements ApiServer.Routes {
  private final TenantRepository tenants;
  private final WorkspaceRepository workspaces;
  private final DeploymentRepository deployments;
  private final PlatformListener listener;
  private final DeploymentEvents events;
  private final java.time.Clock clock;
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
      DeploymentRepository deployments, PlatformListener listener, java.time.Clock clock) {
    this.clock = clock;
    this.tenants = tenants;
    this.workspaces = workspaces;
    this.deployments = deployments;
    this.listener = listener;
    this.events = new DeploymentEvents(deployments, listener);
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

  /** {@code POST /api/tenants}. */
  public record NewTenant(@NotNull(message = "is required") @Line(max = 200) String name,
      @Schema(description = "the platform's own id for it, unique among live tenants") @Line(max = 200)
      String externalId) {}

  /** {@code POST /api/tenants/{tenantId}/workspaces}. */
  public record NewWorkspace(@NotNull(message = "is required") @Line(max = 200) String name,
      @Schema(description = "the platform's own id for it, unique among the tenant's live workspaces")
      @Line(max = 200) String externalId) {}

  /** {@code POST /api/workspaces/{workspaceId}/deployments}; {@code status} defaults to RUNNING. */
  public record NewDeployment(@NotNull(message = "is required") @Line(max = 200) String name,
      @Schema(allowableValues = {"PENDING", "DEPLOYING", "RUNNING", "DEGRADED", "FAILED", "STOPPED"})
      @Line(max = 16) String status,
      @Line(max = 100) String version,
      @Schema(description = "the platform's own id for it, unique among the workspace's live deployments")
      @Line(max = 200) String externalId) {}

  /** {@code POST /api/deployments/{deploymentId}/events}: a status moves the deployment. */
  public record NewEvent(@NotNull(message = "is required") @Line(max = 100) String type,
      @Line(max = 4000, multiLine = true) String message,
      @Schema(allowableValues = {"PENDING", "DEPLOYING", "RUNNING", "DEGRADED", "FAILED", "STOPPED"})
      @Line(max = 16) String status,
      @Line(max = 100) String version) {}

  /**
   * {@code PATCH /api/deployments/{deploymentId}}: only the fields given; null clears (not
   * {@code version} nor {@code name}).
   */
  public record DeploymentChange(
      @Schema(description = "unique among the workspace's live deployments (409: taken)")
      Optional<@NotNull(message = "cannot be null") @Line(max = 200) String> name,
      @Schema(description = "unique among the workspace's live deployments (409: taken); null clears")
      Optional<@Line(max = 200) String> externalId,
      @Schema(description = "recorded as a version_changed event")
      Optional<@NotNull(message = "cannot be null") @Line(max = 100) String> version,
      @Schema(description = "also sets versionCheckedAt") Optional<@Line(max = 100) String> latestVersion,
      @Schema(description = "http or https URL") Optional<@Line(max = 2000) @Pattern(
          regexp = "https?://[^/?#\\s]+([/?#]\\S*)?", message = "must be an http or https URL") String> healthUrl,
      Optional<@Line(max = 100) String> backupSchedule,
      Optional<Instant> lastBackupAt,
      @Schema(allowableValues = {"succeeded", "failed"})
      Optional<@Pattern(regexp = "succeeded|failed", message = "must be one of succeeded, failed") String> lastBackupStatus) {}

  /** A new tenant; {@code externalId} only when given. */
  public record CreatedTenant(String id, String name,
      @JsonInclude(JsonInclude.Include.NON_NULL) String externalId) {}

  /** A name or external id already held by a live object of the same parent: that object's id. */
  @Schema(name = "AlreadyExists", description = "409: the name or externalId is taken")
  public record AlreadyExists(String error, @Schema(description = "the id of the object that holds it") String id) {}

  /** A recorded event, and whether it queued a cycle (and why not). */
  public record EventView(String id, String deploymentId, String type, String status, String message,
      @JsonInclude(JsonInclude.Include.NON_NULL) String version, Instant createdAt, boolean cycleQueued,
      @JsonInclude(JsonInclude.Include.NON_NULL) String reason) {}

  @Override
  public List<ApiRoute> routes() {
    return List.of(
        ApiRoute.of("POST /api/tenants", "Create a tenant", this::createTenant)
            .body(NewTenant.class).answers(201, "the tenant", CreatedTenant.class)
            .answers(409, "the name or externalId is taken", AlreadyExists.class),
        ApiRoute.of("POST /api/tenants/{tenantId}/workspaces", "Create a workspace", this::createWorkspace)
            .body(NewWorkspace.class).answers(201, "the workspace", Workspace.class)
            .answers(409, "the name or externalId is taken", AlreadyExists.class),
        ApiRoute.of("GET /api/tenants/{tenantId}/workspaces", "List the tenant's workspaces, by name", ctx -> {
          var externalId = QueryParams.of(ctx, "externalId").get("externalId");
          String tenantId = PathTenant.require(ctx, tenants);
          ctx.json(externalId.isPresent() ? workspaces.findByExternalId(tenantId, externalId.get()).stream().toList()
              : workspaces.listByTenant(tenantId));
        }).query("externalId", "string", "only the live workspace with this externalId")
            .answers(200, "the workspaces", Workspace.class, true),
        ApiRoute.of("POST /api/workspaces/{workspaceId}/deployments", "Create a deployment", this::createDeployment)
            .body(NewDeployment.class).answers(201, "the deployment", Deployment.class)
            .answers(409, "the name or externalId is taken", AlreadyExists.class),
        ApiRoute.of("GET /api/workspaces/{workspaceId}/deployments", "List the workspace's deployments, by name", ctx -> {
          var externalId = QueryParams.of(ctx, "externalId").get("externalId");
          String workspaceId = workspace(ctx).id();
          ctx.json(externalId.isPresent() ? deployments.findByExternalId(workspaceId, externalId.get()).stream().toList()
              : deployments.listByWorkspace(workspaceId));
        }).query("externalId", "string", "only the live deployment with this externalId")
            .answers(200, "the deployments", Deployment.class, true),
        ApiRoute.of("PATCH /api/deployments/{deploymentId}",
                "Change a deployment's facts (only the fields given; null clears)", this::patchDeployment)
            .body(DeploymentChange.class).answers(200, "the deployment", Deployment.class)
            .answers(409, "the name or externalId is taken", AlreadyExists.class),
        ApiRoute.of("POST /api/deployments/{deploymentId}/events", "Record a deployment event; a status moves the"
                + " deployment (FAILED/DEGRADED queue a cycle, RUNNING resolves its incidents)", this::recordEvent)
            .body(NewEvent.class).answers(201, "the event", EventView.class));
  }

  private void createTenant(Context ctx) {
    NewTenant body = JsonBody.read(ctx, NewTenant.class);
    Tenant t = objects != null ? objects.createTenant(body.name(), body.externalId()) : tenants.create(body.name());
    tenantCreated.accept(t.id());
    ctx.status(201).json(new CreatedTenant(t.id(), t.name(), t.externalId()));
  }

  private void createWorkspace(Context ctx) {
    String tenantId = PathTenant.require(ctx, tenants);
    NewWorkspace body = JsonBody.read(ctx, NewWorkspace.class);
    ctx.status(201).json(objects != null ? objects.createWorkspace(tenantId, body.name(), body.externalId())
        : workspaces.create(tenantId, body.name()));
  }

  private void createDeployment(Context ctx) {
    Workspace w = workspace(ctx);
    NewDeployment body = JsonBody.read(ctx, NewDeployment.class);
    DeploymentStatus status = body.status() == null ? DeploymentStatus.RUNNING : DeploymentStatus.parse(body.status());
    Deployment d = objects != null ? objects.createDeployment(w, body.name(), status, body.version(), body.externalId())
        : deployments.create(w, body.name(), status, body.version());
    listener.deploymentStatusChanged(d, status);
    ctx.status(201).json(d);
  }

  private void recordEvent(Context ctx) {
    Deployment d = deployment(ctx);
    NewEvent body = JsonBody.read(ctx, NewEvent.class);
    DeploymentStatus status = body.status() == null ? null : DeploymentStatus.parse(body.status());
    var recorded = events.record(d, body.type(), status, body.message(), body.version());
    var event = recorded.event();
    Reaction reaction = recorded.reaction();
    ctx.status(201).json(new EventView(event.id(), d.id(), body.type(), status == null ? null : status.name(),
        body.message(), body.version(), event.createdAt(), reaction.cycleQueued(), reaction.reason()));
  }

  private void patchDeployment(Context ctx) {
    Deployment d = deployment(ctx);
    DeploymentChange change = JsonBody.readChange(ctx, DeploymentChange.class);
    if (change.name() != null || change.externalId() != null) {
      if (objects == null) {
        throw ApiException.badRequest("renaming is not available here");
      }
      objects.renameDeployment(d, or(change.name(), d.name()), or(change.externalId(), d.externalId()));
      d = deployments.find(d.id()).orElseThrow(() -> ApiException.notFound("deployment"));
    }
    Deployment changed = new Deployment(d.id(), d.tenantId(), d.workspaceId(), d.name(), d.status(),
        or(change.version(), d.version()), or(change.latestVersion(), d.latestVersion()),
        change.latestVersion() != null ? io.opsagent.db.Times.current(clock) : d.versionCheckedAt(),
        or(change.backupSchedule(), d.backupSchedule()), or(change.lastBackupAt(), d.lastBackupAt()),
        or(change.lastBackupStatus(), d.lastBackupStatus()), or(change.healthUrl(), d.healthUrl()),
        d.createdAt(), d.updatedAt(), d.externalId(), d.source());
    Deployment updated = deployments.updateFacts(d, changed);
    listener.deploymentFactsChanged(updated);
    ctx.json(updated);
  }

  /** A field of a change: {@code current} when absent (null), cleared when given as null (empty). */
  static <T> T or(Optional<T> given, T current) {
    return given == null ? current : given.orElse(null);
  }

  private Workspace workspace(Context ctx) {
    return PathTenant.workspace(ctx, workspaces);
  }

  private Deployment deployment(Context ctx) {
    return PathTenant.deployment(ctx, deployments);
  }
}
