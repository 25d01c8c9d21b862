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
 * with {@code PATCH}; a version change is recorded as a {@code version_changed} event.
 */
public final class PlatformRoutes implements ApiServer.Routes {
  private final TenantRepository tenants;
  private final WorkspaceRepository workspaces;
  private final DeploymentRepository deployments;
  private final PlatformListener listener;
  private final java.time.Clock clock;
  private java.util.function.Consumer<String> tenantCreated = tenantId -> {};

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
  }

  /** Told the id of each tenant created through the API (it then gets its initial agent settings). */
  public PlatformRoutes onTenantCreated(java.util.function.Consumer<String> hook) {
    this.tenantCreated = hook;
    return this;
  }

  /** {@code POST /api/tenants}. */
  public record NewTenant(@NotNull(message = "is required") @Line(max = 200) String name) {}

  /** {@code POST /api/tenants/{tenantId}/workspaces}. */
  public record NewWorkspace(@NotNull(message = "is required") @Line(max = 200) String name) {}

  /** {@code POST /api/workspaces/{workspaceId}/deployments}; {@code status} defaults to RUNNING. */
  public record NewDeployment(@NotNull(message = "is required") @Line(max = 200) String name,
      @Schema(allowableValues = {"PENDING", "DEPLOYING", "RUNNING", "DEGRADED", "FAILED", "STOPPED"})
      @Line(max = 16) String status,
      @Line(max = 100) String version) {}

  /** {@code POST /api/deployments/{deploymentId}/events}: a status moves the deployment. */
  public record NewEvent(@NotNull(message = "is required") @Line(max = 100) String type,
      @Line(max = 4000, multiLine = true) String message,
      @Schema(allowableValues = {"PENDING", "DEPLOYING", "RUNNING", "DEGRADED", "FAILED", "STOPPED"})
      @Line(max = 16) String status,
      @Line(max = 100) String version) {}

  /** {@code PATCH /api/deployments/{deploymentId}}: only the fields given; null clears (not {@code version}). */
  public record DeploymentChange(
      @Schema(description = "recorded as a version_changed event")
      Optional<@NotNull(message = "cannot be null") @Line(max = 100) String> version,
      @Schema(description = "also sets versionCheckedAt") Optional<@Line(max = 100) String> latestVersion,
      @Schema(description = "http or https URL") Optional<@Line(max = 2000) @Pattern(
          regexp = "https?://[^/?#\\s]+([/?#]\\S*)?", message = "must be an http or https URL") String> healthUrl,
      Optional<@Line(max = 100) String> backupSchedule,
      Optional<Instant> lastBackupAt,
      @Schema(allowableValues = {"succeeded", "failed"})
      Optional<@Pattern(regexp = "succeeded|failed", message = "must be one of succeeded, failed") String> lastBackupStatus) {}

  /** A new tenant. */
  public record CreatedTenant(String id, String name) {}

  /** A recorded event, and whether it queued a cycle (and why not). */
  public record EventView(String id, String deploymentId, String type, String status, String message,
      @JsonInclude(JsonInclude.Include.NON_NULL) String version, Instant createdAt, boolean cycleQueued,
      @JsonInclude(JsonInclude.Include.NON_NULL) String reason) {}

  @Override
  public List<ApiRoute> routes() {
    return List.of(
        ApiRoute.of("POST /api/tenants", "Create a tenant", this::createTenant)
            .body(NewTenant.class).answers(201, "the tenant", CreatedTenant.class),
        ApiRoute.of("POST /api/tenants/{tenantId}/workspaces", "Create a workspace", this::createWorkspace)
            .body(NewWorkspace.class).answers(201, "the workspace", Workspace.class),
        ApiRoute.of("GET /api/tenants/{tenantId}/workspaces", "List the tenant's workspaces, by name", ctx -> {
          QueryParams.of(ctx);
          ctx.json(workspaces.listByTenant(PathTenant.require(ctx, tenants)));
        }).answers(200, "the workspaces", Workspace.class, true),
        ApiRoute.of("POST /api/workspaces/{workspaceId}/deployments", "Create a deployment", this::createDeployment)
            .body(NewDeployment.class).answers(201, "the deployment", Deployment.class),
        ApiRoute.of("GET /api/workspaces/{workspaceId}/deployments", "List the workspace's deployments, by name", ctx -> {
          QueryParams.of(ctx);
          ctx.json(deployments.listByWorkspace(workspace(ctx).id()));
        }).answers(200, "the deployments", Deployment.class, true),
        ApiRoute.of("PATCH /api/deployments/{deploymentId}",
                "Change a deployment's facts (only the fields given; null clears)", this::patchDeployment)
            .body(DeploymentChange.class).answers(200, "the deployment", Deployment.class),
        ApiRoute.of("POST /api/deployments/{deploymentId}/events", "Record a deployment event; a status moves the"
                + " deployment (FAILED/DEGRADED queue a cycle, RUNNING resolves its incidents)", this::recordEvent)
            .body(NewEvent.class).answers(201, "the event", EventView.class));
  }

  private void createTenant(Context ctx) {
    Tenant t = tenants.create(JsonBody.read(ctx, NewTenant.class).name());
    tenantCreated.accept(t.id());
    ctx.status(201).json(new CreatedTenant(t.id(), t.name()));
  }

  private void createWorkspace(Context ctx) {
    String tenantId = PathTenant.require(ctx, tenants);
    ctx.status(201).json(workspaces.create(tenantId, JsonBody.read(ctx, NewWorkspace.class).name()));
  }

  private void createDeployment(Context ctx) {
    Workspace w = workspace(ctx);
    NewDeployment body = JsonBody.read(ctx, NewDeployment.class);
    DeploymentStatus status = body.status() == null ? DeploymentStatus.RUNNING : DeploymentStatus.parse(body.status());
    Deployment d = deployments.create(w, body.name(), status, body.version());
    listener.deploymentStatusChanged(d, status);
    ctx.status(201).json(d);
  }

  private void recordEvent(Context ctx) {
    Deployment d = deployment(ctx);
    NewEvent body = JsonBody.read(ctx, NewEvent.class);
    DeploymentStatus status = body.status() == null ? null : DeploymentStatus.parse(body.status());
    var event = deployments.recordEvent(d, body.type(), status, body.message(), body.version());
    Reaction reaction = status == null
        ? Reaction.notQueued("no status change: the tenant's next scheduled cycle reviews this event")
        : status == d.status()
            ? Reaction.notQueued("status unchanged (" + status.name() + "): the tenant's next scheduled cycle reviews this event")
            : listener.deploymentStatusChanged(d, status);
    ctx.status(201).json(new EventView(event.id(), d.id(), body.type(), status == null ? null : status.name(),
        body.message(), body.version(), event.createdAt(), reaction.cycleQueued(), reaction.reason()));
  }

  private void patchDeployment(Context ctx) {
    Deployment d = deployment(ctx);
    DeploymentChange change = JsonBody.readChange(ctx, DeploymentChange.class);
    Deployment changed = new Deployment(d.id(), d.tenantId(), d.workspaceId(), d.name(), d.status(),
        or(change.version(), d.version()), or(change.latestVersion(), d.latestVersion()),
        change.latestVersion() != null ? io.opsagent.db.Times.current(clock) : d.versionCheckedAt(),
        or(change.backupSchedule(), d.backupSchedule()), or(change.lastBackupAt(), d.lastBackupAt()),
        or(change.lastBackupStatus(), d.lastBackupStatus()), or(change.healthUrl(), d.healthUrl()),
        d.createdAt(), d.updatedAt());
    Deployment updated = deployments.updateFacts(d, changed);
    listener.deploymentFactsChanged(updated);
    ctx.json(updated);
  }

  /** A field of a change: {@code current} when absent (null), cleared when given as null (empty). */
  private static <T> T or(Optional<T> given, T current) {
    return given == null ? current : given.orElse(null);
  }

  private Workspace workspace(Context ctx) {
    return workspaces.find(PathTenant.id(ctx, "workspaceId", "workspace"))
        .orElseThrow(() -> ApiException.notFound("workspace"));
  }

  private Deployment deployment(Context ctx) {
    return deployments.find(PathTenant.id(ctx, "deploymentId", "deployment"))
        .orElseThrow(() -> ApiException.notFound("deployment"));
  }
}
