package io.opsagent.api.routes;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import io.opsagent.api.ApiException;
import io.opsagent.api.ApiRoute;
import io.opsagent.api.ApiServer;
import io.opsagent.api.JsonBody;
import io.opsagent.api.Line;
import io.opsagent.api.PathTenant;
import io.opsagent.api.QueryParams;
import io.opsagent.notify.ChannelType;
import io.opsagent.notify.ChannelView;
import io.opsagent.notify.NotificationChannelRepository;
import io.opsagent.platform.TenantRepository;
import io.opsagent.platform.WorkspaceRepository;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.NotNull;
import java.util.List;
import java.util.Optional;

/**
 * Notification channels of a tenant. Nothing of a channel's configuration is ever echoed back. A
 * deleted channel is gone from the API and gets no more alerts; the delivery log keeps its rows.
 * Every channel answered says whether it is {@code failing} (its deliveries failed for
 * {@link io.opsagent.notify.ChannelHealth#FAILING_AFTER} in a row) and, while no delivery succeeded
 * since its latest failed attempt, that attempt's {@code lastError} (never a URL or secret).
 */
public final class ChannelRoutes implements ApiServer.Routes {
  private final TenantRepository tenants;
  private final WorkspaceRepository workspaces;
  private final NotificationChannelRepository channels;

  public ChannelRoutes(ObjectMapper json, TenantRepository tenants, WorkspaceRepository workspaces,
      NotificationChannelRepository channels) {
    this.tenants = tenants;
    this.workspaces = workspaces;
    this.channels = channels;
  }

  /** {@code POST /api/tenants/{tenantId}/notification-channels}; no {@code workspaceId}: tenant-wide. */
  @Schema(description = "config: webhook/slack {url, secret?}; email {to}; pagerduty {routingKey, url?}")
  public record NewChannel(
      @Schema(allowableValues = {"webhook", "slack", "email", "pagerduty"}) @NotNull(message = "is required") @Line(max = 16) String type,
      @NotNull(message = "is required") @Line(max = 200) String name,
      @NotNull(message = "is required and must be a JSON object") ObjectNode config,
      @Line(max = 64) String workspaceId) {}

  /** {@code PATCH …/notification-channels/{channelId}}: only the fields given; none may be null. */
  @Schema(description = "only the fields given; config replaces the whole configuration")
  public record ChannelChange(Optional<@NotNull(message = "cannot be null") Boolean> enabled, Optional<@NotNull(message = "cannot be null") @Line(max = 200) String> name,
      Optional<@NotNull(message = "cannot be null") ObjectNode> config) {}

  /** A channel as answered: never its configuration; {@code lastError} only while it is failing. */
  public record Channel(String id, String tenantId, String workspaceId, ChannelType type, String name,
      boolean enabled, boolean failing, @JsonInclude(JsonInclude.Include.NON_NULL) String lastError) {
    static Channel of(ChannelView v) {
      return new Channel(v.id(), v.tenantId(), v.workspaceId(), v.type(), v.name(), v.enabled(), v.failing(),
          v.lastError());
    }
  }

  @Override
  public List<ApiRoute> routes() {
    String path = "/api/tenants/{tenantId}/notification-channels";
    return List.of(
        ApiRoute.of("POST " + path, "Create a notification channel", this::create)
            .body(NewChannel.class).answers(201, "the channel", Channel.class),
        ApiRoute.of("GET " + path, "List the tenant's channels", this::list).answers(200, "the channels", Channel.class, true),
        ApiRoute.of("PATCH " + path + "/{channelId}", "Change a channel", this::patch)
            .body(ChannelChange.class).answers(200, "the channel", Channel.class),
        ApiRoute.of("DELETE " + path + "/{channelId}", "Delete a channel (soft: the delivery log keeps its rows)",
            this::delete).answers(204, "deleted", null));
  }

  private void create(Context ctx) {
    String tenantId = PathTenant.require(ctx, tenants);
    NewChannel body = JsonBody.read(ctx, NewChannel.class);
    ChannelType type = ChannelType.fromWire(body.type());
    if (body.workspaceId() != null && workspaces.find(tenantId, body.workspaceId()).isEmpty()) {
      throw ApiException.notFound("workspace");
    }
    ChannelView view = channels.create(tenantId, body.workspaceId(), type, body.name(), body.config());
    ctx.status(201).json(Channel.of(view));
  }

  private void list(Context ctx) {
    QueryParams.of(ctx);
    String tenantId = PathTenant.require(ctx, tenants);
    ctx.json(channels.listByTenant(tenantId).stream().map(Channel::of).toList());
  }

  private void patch(Context ctx) {
    String tenantId = PathTenant.require(ctx, tenants);
    String channelId = PathTenant.id(ctx, "channelId", "notification channel");
    ChannelChange change = JsonBody.readChange(ctx, ChannelChange.class);
    ChannelView view = channels.update(tenantId, channelId, given(change.enabled()), given(change.name()),
            given(change.config()))
        .orElseThrow(() -> ApiException.notFound("notification channel"));
    ctx.json(Channel.of(view));
  }

  private static <T> Optional<T> given(Optional<T> field) {
    return field == null ? Optional.empty() : field;
  }

  private void delete(Context ctx) {
    String tenantId = PathTenant.require(ctx, tenants);
    if (!channels.delete(tenantId, PathTenant.id(ctx, "channelId", "notification channel"))) {
      throw ApiException.notFound("notification channel");
    }
    ctx.status(204);
  }
}
