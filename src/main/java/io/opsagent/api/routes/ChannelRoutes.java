package io.opsagent.api.routes;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.opsagent.api.ApiException;
import io.opsagent.api.ApiServer;
import io.opsagent.api.JsonBody;
import io.opsagent.api.PathTenant;
import io.opsagent.api.QueryParams;
import io.opsagent.notify.ChannelType;
import io.opsagent.notify.ChannelView;
import io.opsagent.notify.NotificationChannelRepository;
import io.opsagent.platform.TenantRepository;
import io.opsagent.platform.WorkspaceRepository;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Notification channels of a tenant. Nothing of a channel's configuration is ever echoed back. A
 * deleted channel is gone from the API and gets no more alerts; the delivery log keeps its rows.
 * Every channel answered says whether it is {@code failing} (its deliveries failed for
 * {@link io.opsagent.notify.ChannelHealth#FAILING_AFTER} in a row) and, while no delivery succeeded
 * since its latest failed attempt, that attempt's {@code lastError} (never a URL or secret).
 */
public final class ChannelRoutes implements ApiServer.Routes {
  private final ObjectMapper json;
  private final TenantRepository tenants;
  private final WorkspaceRepository workspaces;
  private final NotificationChannelRepository channels;

  public ChannelRoutes(ObjectMapper json, TenantRepository tenants, WorkspaceRepository workspaces,
      NotificationChannelRepository channels) {
    this.json = json;
    this.tenants = tenants;
    this.workspaces = workspaces;
    this.channels = channels;
  }

  @Override
  public void register(Javalin app) {
    app.post("/api/tenants/{tenantId}/notification-channels", this::create);
    app.get("/api/tenants/{tenantId}/notification-channels", this::list);
    app.patch("/api/tenants/{tenantId}/notification-channels/{channelId}", this::patch);
    app.delete("/api/tenants/{tenantId}/notification-channels/{channelId}", this::delete);
  }

  private void create(Context ctx) {
    String tenantId = PathTenant.require(ctx, tenants);
    JsonBody body = JsonBody.parse(json, ctx);
    ChannelType type = ChannelType.fromWire(body.required("type", 16));
    String name = body.required("name", 200);
    String workspaceId = body.optional("workspaceId", 64).orElse(null);
    if (workspaceId != null && workspaces.find(tenantId, workspaceId).isEmpty()) {
      throw ApiException.notFound("workspace");
    }
    ChannelView view = channels.create(tenantId, workspaceId, type, name, body.requiredObject("config"));
    ctx.status(201).json(toJson(view));
  }

  private void list(Context ctx) {
    QueryParams.of(ctx);
    String tenantId = PathTenant.require(ctx, tenants);
    ctx.json(channels.listByTenant(tenantId).stream().map(ChannelRoutes::toJson).toList());
  }

  private void patch(Context ctx) {
    String tenantId = PathTenant.require(ctx, tenants);
    String channelId = PathTenant.id(ctx, "channelId", "notification channel");
    JsonBody body = JsonBody.parse(json, ctx);
    body.allowOnly(Set.of("enabled", "name", "config"));
    if (body.isNull("enabled") || body.isNull("name") || body.isNull("config")) {
      throw ApiException.badRequest("'enabled', 'name' and 'config' cannot be null");
    }
    ChannelView view = channels.update(tenantId, channelId, body.optionalBoolean("enabled"),
            body.optional("name", 200), body.optionalObject("config"))
        .orElseThrow(() -> ApiException.notFound("notification channel"));
    ctx.json(toJson(view));
  }

  private void delete(Context ctx) {
    String tenantId = PathTenant.require(ctx, tenants);
    if (!channels.delete(tenantId, PathTenant.id(ctx, "channelId", "notification channel"))) {
      throw ApiException.notFound("notification channel");
    }
    ctx.status(204);
  }

  private static Map<String, Object> toJson(ChannelView v) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("id", v.id());
    out.put("tenantId", v.tenantId());
    out.put("workspaceId", v.workspaceId());
    out.put("type", v.type().wire());
    out.put("name", v.name());
    out.put("enabled", v.enabled());
    out.put("failing", v.failing());
    if (v.lastError() != null) {
      out.put("lastError", v.lastError());
    }
    return out;
  }
}
