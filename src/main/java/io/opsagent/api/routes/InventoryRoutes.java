package io.opsagent.api.routes;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.opsagent.api.ApiException;
import io.opsagent.api.ApiServer;
import io.opsagent.api.JsonBody;
import io.opsagent.api.PathTenant;
import io.opsagent.api.QueryParams;
import io.opsagent.platform.DeploymentStatus;
import io.opsagent.platform.Inventory;
import io.opsagent.platform.InventoryReconciler;
import io.opsagent.platform.TenantRepository;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Set;
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
  private static final Set<String> TOP = Set.of("workspaces");
  private static final Set<String> WORKSPACE = Set.of("externalId", "name", "deployments");
  private static final Set<String> DEPLOYMENT = Set.of("externalId", "name", "status", "version", "healthUrl",
      "backupSchedule");

  private final ObjectMapper json;
  private final TenantRepository tenants;
  private final InventoryReconciler reconciler;
  private final Consumer<String> deploymentsAdded;

  /** {@code deploymentsAdded} is told the tenant's id when the reconcile created deployments. */
  public InventoryRoutes(ObjectMapper json, TenantRepository tenants, InventoryReconciler reconciler,
      Consumer<String> deploymentsAdded) {
    this.json = json;
    this.tenants = tenants;
    this.reconciler = reconciler;
    this.deploymentsAdded = deploymentsAdded;
  }

  @Override
  public void register(Javalin app) {
    app.put("/api/tenants/{tenantId}/inventory", this::reconcile);
  }

  private void reconcile(Context ctx) {
    QueryParams.of(ctx);
    String tenantId = PathTenant.require(ctx, tenants);
    List<Inventory.WorkspaceItem> inventory = parse(read(ctx));
    Inventory.Result result;
    try {
      result = reconciler.reconcile(tenantId, inventory);
    } catch (NoSuchElementException e) {
      throw ApiException.notFound("tenant");
    }
    if (!result.created().deployments().isEmpty()) {
      deploymentsAdded.accept(tenantId);
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("changed", result.changed());
    out.put("created", objects(result.created()));
    out.put("updated", objects(result.updated()));
    out.put("removed", objects(result.removed()));
    out.put("leftAlone", objects(result.leftAlone()));
    out.put("unchanged", result.unchanged());
    ctx.json(out);
  }

  private List<Inventory.WorkspaceItem> parse(byte[] raw) {
    JsonNode root;
    try {
      root = json.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).readTree(raw);
    } catch (JsonProcessingException e) {
      throw ApiException.badRequest("request body is not valid JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (!(root instanceof ObjectNode top)) {
      throw ApiException.badRequest("request body must be a JSON object");
    }
    unknown(top, TOP, "");
    JsonNode list = top.get("workspaces");
    if (list == null || !list.isArray()) {
      throw ApiException.badRequest("'workspaces' is required and must be a list (empty to remove every workspace)");
    }
    List<Inventory.WorkspaceItem> out = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      String at = "workspaces[" + i + "]";
      JsonBody w = item(list.get(i), WORKSPACE, at);
      JsonNode ds = ((ObjectNode) list.get(i)).get("deployments");
      if (ds != null && !ds.isNull() && !ds.isArray()) {
        throw ApiException.badRequest(at + ": 'deployments' must be a list");
      }
      List<Inventory.DeploymentItem> deployments = new ArrayList<>();
      for (int j = 0; ds != null && j < ds.size(); j++) {
        deployments.add(deployment(item(ds.get(j), DEPLOYMENT, at + ".deployments[" + j + "]"),
            at + ".deployments[" + j + "]"));
      }
      out.add(new Inventory.WorkspaceItem(at(at, () -> w.required("externalId", 200)),
          at(at, () -> w.required("name", 200)), deployments));
    }
    return out;
  }

  private static Inventory.DeploymentItem deployment(JsonBody d, String at) {
    return at(at, () -> {
      if (d.isNull("version")) {
        throw ApiException.badRequest("'version' cannot be cleared");
      }
      return new Inventory.DeploymentItem(d.required("externalId", 200), d.required("name", 200),
          d.optional("status", 16).map(DeploymentStatus::parse).orElse(null),
          d.optional("version", 100).orElse(null),
          d.has("healthUrl") ? Optional.ofNullable(d.optional("healthUrl", 2000).map(PlatformRoutes::httpUrl)
              .orElse(null)) : null,
          d.has("backupSchedule") ? d.optional("backupSchedule", 100) : null);
    });
  }

  /** One object of the list, checked field by field as every other body is. */
  private JsonBody item(JsonNode node, Set<String> accepted, String at) {
    if (!(node instanceof ObjectNode o)) {
      throw ApiException.badRequest(at + ": must be a JSON object");
    }
    unknown(o, accepted, at + ": ");
    ObjectNode scalars = o.deepCopy();
    scalars.remove("deployments");
    return JsonBody.parse(json, scalars.toString());
  }

  private static void unknown(ObjectNode o, Set<String> accepted, String at) {
    for (Iterator<String> it = o.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!accepted.contains(f)) {
        throw ApiException.badRequest(at + "unknown field '" + f.chars().filter(c -> !Character.isISOControl(c))
            .limit(40).collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append)
            + "'; accepted: " + String.join(", ", new java.util.TreeSet<>(accepted)));
      }
    }
  }

  /** Runs {@code parse}, its 400 naming where in the body the bad value is. */
  private static <T> T at(String where, java.util.function.Supplier<T> parse) {
    try {
      return parse.get();
    } catch (ApiException e) {
      throw e.status() == 400 ? ApiException.badRequest(where + ": " + e.getMessage()) : e;
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest(where + ": " + e.getMessage());
    }
  }

  private static byte[] read(Context ctx) {
    if (ctx.req().getContentLengthLong() > MAX_BYTES) {
      throw new ApiException(413, "request body too large (at most " + MAX_BYTES / (1024 * 1024) + " MiB)");
    }
    try (InputStream in = ctx.req().getInputStream()) {
      byte[] bytes = in.readNBytes(MAX_BYTES + 1);
      if (bytes.length > MAX_BYTES) {
        throw new ApiException(413, "request body too large (at most " + MAX_BYTES / (1024 * 1024) + " MiB)");
      }
      if (bytes.length == 0) {
        throw ApiException.badRequest("request body must be a JSON object");
      }
      return bytes;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Map<String, Object> objects(Inventory.Objects o) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("workspaces", o.workspaces().stream().map(InventoryRoutes::ref).toList());
    out.put("deployments", o.deployments().stream().map(InventoryRoutes::ref).toList());
    return out;
  }

  private static Map<String, Object> ref(Inventory.Ref r) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("id", r.id());
    out.put("externalId", r.externalId());
    return out;
  }
}
