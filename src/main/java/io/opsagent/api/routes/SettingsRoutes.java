package io.opsagent.api.routes;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.opsagent.agent.review.ReviewMemory;
import io.opsagent.agent.trust.KillSwitch;
import io.opsagent.agent.trust.Mode;
import io.opsagent.agent.trust.TenantSettings;
import io.opsagent.api.ApiException;
import io.opsagent.api.ApiServer;
import io.opsagent.api.JsonBody;
import io.opsagent.api.PathTenant;
import io.opsagent.platform.TenantRepository;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The trust controls: a tenant's agent settings (mode, daily token budget) and the cluster-wide
 * kill switch. Changing a tenant's mode clears its reviewed-state fingerprint, so its next cycle
 * reviews (a tenant switched to live gets its first real alert at once).
 */
public final class SettingsRoutes implements ApiServer.Routes {
  private final ObjectMapper json;
  private final TenantRepository tenants;
  private final TenantSettings settings;
  private final KillSwitch killSwitch;
  private final ReviewMemory reviews;
  private final long defaultBudget;

  /** {@code defaultBudget}: {@code OPSAGENT_DAILY_TOKEN_BUDGET}, shown as the budget in force. */
  public SettingsRoutes(ObjectMapper json, TenantRepository tenants, TenantSettings settings,
      KillSwitch killSwitch, ReviewMemory reviews, long defaultBudget) {
    this.json = json;
    this.tenants = tenants;
    this.settings = settings;
    this.killSwitch = killSwitch;
    this.reviews = reviews;
    this.defaultBudget = defaultBudget;
  }

  @Override
  public void register(Javalin app) {
    app.get("/api/tenants/{tenantId}/ops/settings",
        ctx -> ctx.json(view(settings.get(PathTenant.require(ctx, tenants)))));
    app.put("/api/tenants/{tenantId}/ops/settings", this::update);
    app.get("/api/ops/kill-switch", ctx -> ctx.json(view(killSwitch.state())));
    app.put("/api/ops/kill-switch", this::engage);
    app.delete("/api/ops/kill-switch", ctx -> ctx.json(view(killSwitch.release())));
  }

  private void update(Context ctx) {
    String tenantId = PathTenant.require(ctx, tenants);
    JsonBody body = JsonBody.parse(json, ctx);
    body.allowOnly(Set.of("mode", "dailyTokenBudget"));
    Mode mode = null;
    if (body.has("mode")) {
      String raw = body.optional("mode", 32)
          .orElseThrow(() -> ApiException.badRequest("'mode' must be \"live\" or \"dry-run\""));
      try {
        mode = Mode.fromWire(raw);
      } catch (IllegalArgumentException e) {
        throw ApiException.badRequest(e.getMessage());
      }
    }
    boolean setBudget = body.has("dailyTokenBudget");
    Long budget = body.optionalNonNegativeLong("dailyTokenBudget").orElse(null);
    Mode before = settings.get(tenantId).mode();
    TenantSettings.Settings now = settings.update(tenantId, mode, setBudget, budget);
    if (now.mode() != before) {
      reviews.forget(tenantId);
    }
    ctx.json(view(now));
  }

  private void engage(Context ctx) {
    String raw = ctx.body();
    String reason = null;
    if (raw != null && !raw.isBlank()) {
      JsonBody body = JsonBody.parse(json, raw);
      if (!body.isEmpty()) {
        body.allowOnly(Set.of("reason"));
      }
      reason = body.optionalText("reason", KillSwitch.MAX_REASON).orElse(null);
    }
    ctx.json(view(killSwitch.engage(reason)));
  }

  private Map<String, Object> view(TenantSettings.Settings s) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("mode", s.mode().wire());
    out.put("dailyTokenBudget", s.dailyTokenBudget());
    out.put("effectiveDailyTokenBudget", s.dailyTokenBudget() != null ? s.dailyTokenBudget() : defaultBudget);
    return out;
  }

  static Map<String, Object> view(KillSwitch.State s) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("engaged", s.engaged());
    if (s.engaged()) {
      out.put("reason", s.reason());
      out.put("since", s.since());
    }
    return out;
  }
}
