package io.opsagent.api.auth;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.http.Context;
import io.opsagent.api.ApiException;
import io.opsagent.api.ApiRoute;
import io.opsagent.api.ApiServer;
import io.opsagent.api.JsonBody;
import io.opsagent.api.Line;
import io.opsagent.api.PathTenant;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.NotNull;
import java.time.Instant;
import java.util.List;

/**
 * {@code POST / GET /api/keys} and {@code DELETE /api/keys/{keyId}} (admin keys only): a key is
 * shown once, in the answer that creates it; revoking one ends its requests and its dashboard
 * sessions at once. Each change records which key made it.
 */
public final class KeyRoutes implements ApiServer.Routes {
  private final ObjectMapper json;
  private final ApiKeys keys;
  private final WhoDidIt who;

  public KeyRoutes(ObjectMapper json, Access access) {
    this.json = json;
    this.keys = access.keys().orElseThrow(() -> new IllegalStateException("keys need a database"));
    this.who = access.who().orElseThrow();
  }

  /** {@code POST /api/keys}: {@code tenantId} required for tenant, optional for viewer, refused for the others. */
  public record NewKey(@NotNull(message = "is required") @Line(max = 200) String name,
      @Schema(allowableValues = {"admin", "platform", "tenant", "viewer"}) @NotNull(message = "is required")
      @Line(max = 16) String role,
      @Line(max = 64) String tenantId) {}

  /** A scoped API key, never the key itself; {@code key} only in the answer that creates it. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record KeyView(String id, String name, @Schema(allowableValues = {"admin", "platform", "tenant", "viewer"})
      String role, String tenantId, Instant createdAt, Instant revokedAt, String key) {
    static KeyView of(ApiKeys.ApiKey k, String key) {
      return new KeyView(k.id(), k.name(), k.role().wire(), k.tenantId(), k.createdAt(), k.revokedAt(), key);
    }
  }

  @Override
  public List<ApiRoute> routes() {
    return List.of(
        ApiRoute.of("POST /api/keys", "Create a scoped API key (admin keys only); the key is shown only in this answer",
            this::create).body(NewKey.class).answers(201, "the key", KeyView.class),
        ApiRoute.of("GET /api/keys", "Every key, revoked ones included (admin keys only)",
            ctx -> ctx.json(keys.list().stream().map(k -> KeyView.of(k, null)).toList()))
            .answers(200, "the keys", KeyView.class, true),
        ApiRoute.of("DELETE /api/keys/{keyId}", "Revoke a key: its requests and sessions are refused at once"
            + " (admin keys only)", this::revoke).answers(204, "revoked", null));
  }

  private void create(Context ctx) {
    NewKey body = JsonBody.read(ctx, NewKey.class);
    Role role = Role.parse(body.role());
    ApiKeys.Created created = keys.create(body.name(), role, body.tenantId());
    who.record(Caller.of(ctx), "key.create", body.tenantId(), created.key().id(), role.wire() + " " + body.name());
    ctx.status(201).json(KeyView.of(created.key(), created.secret()));
  }

  private void revoke(Context ctx) {
    String id = PathTenant.id(ctx, "keyId", "key");
    var key = keys.find(id).orElseThrow(() -> ApiException.notFound("key"));
    if (keys.revoke(id)) {
      who.record(Caller.of(ctx), "key.revoke", key.tenantId(), id, key.role().wire() + " " + key.name());
    }
    ctx.status(204);
  }
}
