package io.opsagent.api.routes;

import io.javalin.http.Context;
import io.opsagent.api.ApiException;
import io.opsagent.api.ApiRoute;
import io.opsagent.api.ApiServer;
import io.opsagent.api.JsonBody;
import io.opsagent.api.Line;
import io.opsagent.api.PathTenant;
import io.opsagent.api.QueryParams;
import io.opsagent.platform.DeploymentStatus;
import io.opsagent.platform.Inventory;
import io.opsagent.platform.InventoryReconciler;
import io.opsagent.platform.TenantRepository;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * {@code PUT /api/tenants/{tenantId}/inventory}: the tenant's full list of workspaces and their
 * deployments, by external id; the tenant is made to match it in one transaction
 * ({@link InventoryReconciler}) and the answer says what was created, updated, removed and left
 * alone. The body may be larger than other routes' (up to {@value #MAX_BYTES} bytes: 10,000
 * deployments and more).
 */
public final class InventoryRoutes implements ApiServer.Routes {
  static final int MAX_BYTES = 32 * 1024 * 1024;
  private static final String STATUS = "PENDING|DEPLOYING|RUNNING|DEGRADED|FAILED|STOPPED";

  private final TenantRepository tenants;
  private final InventoryReconciler reconciler;
  private final Consumer<String> deploymentsAdded;

  /** {@code deploymentsAdded} is told the tenant's id when the reconcile created deployments. */
  public InventoryRoutes(TenantRepository tenants, InventoryReconciler reconciler, Consumer<String> deploymentsAdded) {
    this.tenants = tenants;
    this.reconciler = reconciler;
    this.deploymentsAdded = deploymentsAdded;
  }

  /** The body: every workspace of the tenant (an empty list removes them all). */
  public record InventoryBody(
      @NotNull(message = "is required and must be a list (empty to remove every workspace)")
      List<@NotNull(message = "must be a JSON object") @Valid InventoryWorkspace> workspaces) {}

  /** A workspace of the inventory with all its deployments (none when absent). */
  public record InventoryWorkspace(
      @NotNull(message = "is required") @Line(max = 200) String externalId,
      @NotNull(message = "is required") @Line(max = 200) String name,
      List<@NotNull(message = "must be a JSON object") @Valid InventoryDeployment> deployments) {}

  /** A deployment of the inventory; a field absent is left as stored, null clears it (not {@code version}). */
  public record InventoryDeployment(
      @NotNull(message = "is required") @Line(max = 200) String externalId,
      @NotNull(message = "is required") @Line(max = 200) String name,
      @Schema(allowableValues = {"PENDING", "DEPLOYING", "RUNNING", "DEGRADED", "FAILED", "STOPPED"},
          description = "of a deployment the reconcile creates (default RUNNING); events move it afterwards")
      @Pattern(regexp = STATUS, message = "must be one of PENDING, DEPLOYING, RUNNING, DEGRADED, FAILED, STOPPED")
      String status,
      Optional<@NotNull(message = "cannot be null") @Line(max = 100) String> version,
      @Schema(description = "http or https URL") Optional<@Line(max = 2000) @Pattern(
          regexp = "https?://[^/?#\\s]+([/?#]\\S*)?", message = "must be an http or https URL") String> healthUrl,
      Optional<@Line(max = 100) String> backupSchedule) {}

  /** One object named by the reconcile. */
  public record InventoryRef(String id, String externalId) {}

  /** Objects of each kind, as {@code {id, externalId}}. */
  public record InventoryObjects(List<InventoryRef> workspaces, List<InventoryRef> deployments) {
    static InventoryObjects of(Inventory.Objects o) {
      return new InventoryObjects(refs(o.workspaces()), refs(o.deployments()));
    }

    private static List<InventoryRef> refs(List<Inventory.Ref> refs) {
      return refs.stream().map(r -> new InventoryRef(r.id(), r.externalId())).toList();
    }
  }

  /** What a reconcile did. */
  @Schema(name = "Inventory")
  public record Reconciled(@Schema(description = "false when the inventory already matched") boolean changed,
      InventoryObjects created, InventoryObjects updated,
      @Schema(description = "soft-deleted") InventoryObjects removed,
      @Schema(description = "of another source") InventoryObjects leftAlone, int unchanged) {}

  @Override
  public List<ApiRoute> routes() {
    return List.of(ApiRoute.of("PUT /api/tenants/{tenantId}/inventory",
            "Make the tenant's workspaces and deployments match this full list, by externalId, in one transaction"
                + " (a body of up to 32 MiB)", this::reconcile)
        .body(InventoryBody.class).answers(200, "what changed", Reconciled.class)
        .answers(409, "a name is held by an object of another source", PlatformRoutes.AlreadyExists.class));
  }

  private void reconcile(Context ctx) {
    QueryParams.of(ctx);
    String tenantId = PathTenant.require(ctx, tenants);
    List<Inventory.WorkspaceItem> inventory = items(JsonBody.read(ctx, InventoryBody.class, MAX_BYTES));
    Inventory.Result result;
    try {
      result = reconciler.reconcile(tenantId, inventory);
    } catch (NoSuchElementException e) {
      throw ApiException.notFound("tenant");
    }
    if (!result.created().deployments().isEmpty()) {
      deploymentsAdded.accept(tenantId);
    }
    ctx.json(new Reconciled(result.changed(), InventoryObjects.of(result.created()),
        InventoryObjects.of(result.updated()), InventoryObjects.of(result.removed()),
        InventoryObjects.of(result.leftAlone()), result.unchanged()));
  }

  private static List<Inventory.WorkspaceItem> items(InventoryBody body) {
    List<Inventory.WorkspaceItem> out = new ArrayList<>(body.workspaces().size());
    for (InventoryWorkspace w : body.workspaces()) {
      List<Inventory.DeploymentItem> deployments = new ArrayList<>();
      for (InventoryDeployment d : w.deployments() == null ? List.<InventoryDeployment>of() : w.deployments()) {
        deployments.add(new Inventory.DeploymentItem(d.externalId(), d.name(),
            d.status() == null ? null : DeploymentStatus.parse(d.status()),
            d.version() == null ? null : d.version().orElseThrow(), d.healthUrl(), d.backupSchedule()));
      }
      out.add(new Inventory.WorkspaceItem(w.externalId(), w.name(), deployments));
    }
    return out;
  }
}
