package io.opsagent.api.auth;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.opsagent.api.ApiException;
import io.opsagent.api.ApiServer;
import io.opsagent.api.JsonBody;
import io.opsagent.api.PathTenant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

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

  @Override
  public void register(Javalin app) {
    app.post("/api/keys", this::create);
    app.get("/api/keys", ctx -> ctx.json(keys.list().stream().map(KeyRoutes::view).toList()));
    app.delete("/api/keys/{keyId}", this::revoke);
  }

  private void create(Context ctx) {
    JsonBody body = JsonBody.parse(json, ctx);
    body.allowOnly(Set.of("name", "role", "tenantId"));
    String name = body.required("name", 200);
    Role role = Role.parse(body.required("role", 16));
    String tenantId = body.optional("tenantId", 64).orElse(null);
    ApiKeys.Created created = keys.create(name, role, tenantId);
    who.record(Caller.of(ctx), "key.create", tenantId, created.key().id(), role.wire() + " " + name);
    Map<String, Object> out = view(created.key());
    out.put("key", created.secret());
    ctx.status(201).json(out);
  }

  private void revoke(Context ctx) {
    String id = PathTenant.id(ctx, "keyId", "key");
    var key = keys.find(id).orElseThrow(() -> ApiException.notFound("key"));
    if (keys.revoke(id)) {
      who.record(Caller.of(ctx), "key.revoke", key.tenantId(), id, key.role().wire() + " " + key.name());
    }
    ctx.status(204);
  }

  static Map<String, Object> view(ApiKeys.ApiKey k) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("id", k.id());
    out.put("name", k.name());
    out.put("role", k.role().wire());
    if (k.tenantId() != null) {
      out.put("tenantId", k.tenantId());
    }
    out.put("createdAt", k.createdAt());
    if (k.revokedAt() != null) {
      out.put("revokedAt", k.revokedAt());
    }
    return out;
  }
}
