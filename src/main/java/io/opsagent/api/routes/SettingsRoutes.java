package io.opsagent.api.routes;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.http.Context;
import io.opsagent.agent.review.ReviewMemory;
import io.opsagent.api.ApiRoute;
import io.opsagent.api.ApiServer;
import io.opsagent.api.JsonBody;
import io.opsagent.api.Line;
import io.opsagent.api.PathTenant;
import io.opsagent.platform.TenantRepository;
import io.opsagent.trust.KillSwitch;
import io.opsagent.trust.Mode;
import io.opsagent.trust.TenantSettings;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The trust controls: a tenant's agent settings (mode, daily token budget) and the cluster-wide
 * kill switch. Changing a tenant's mode clears its reviewed-state fingerprint, so its next cycle
 * reviews (a tenant switched to live gets its first real alert at once).
 */
public final class SettingsRoutes implements ApiServer.Routes {
  private final TenantRepository tenants;
  private final TenantSettings settings;
  private final KillSwitch killSwitch;
  private final ReviewMemory reviews;
  private final long defaultBudget;

  /** {@code defaultBudget}: {@code OPSAGENT_DAILY_TOKEN_BUDGET}, shown as the budget in force. */
  public SettingsRoutes(ObjectMapper json, TenantRepository tenants, TenantSettings settings,
      KillSwitch killSwitch, ReviewMemory reviews, long defaultBudget) {
    this.tenants = tenants;
    this.settings = settings;
    this.killSwitch = killSwitch;
    this.reviews = reviews;
    this.defaultBudget = defaultBudget;
  }

  /** {@code PUT …/ops/settings}: either or both; {@code dailyTokenBudget} null restores the default. */
  public record SettingsChange(
      @Schema(allowableValues = {"live", "dry-run"}) Optional<@NotNull(message = "cannot be null") @Line(max = 32) String> mode,
      @Schema(description = "null = the default; 0 = never call the model")
      Optional<@Min(value = 0, message = "must be a whole number of at least 0, or null") Long> dailyTokenBudget) {}

  /** {@code PUT /api/ops/kill-switch}, or no body. */
  public record Engage(@Line(max = KillSwitch.MAX_REASON, multiLine = true) String reason) {}

  /** A tenant's agent settings; {@code dailyTokenBudget} null is the default. */
  public record SettingsView(@Schema(allowableValues = {"live", "dry-run"}) String mode, Long dailyTokenBudget,
      long effectiveDailyTokenBudget) {}

  /** The cluster-wide kill switch; {@code reason} and {@code since} only while engaged. */
  public record KillSwitchView(boolean engaged, @JsonInclude(JsonInclude.Include.NON_NULL) String reason,
      @JsonInclude(JsonInclude.Include.NON_NULL) Instant since) {
    static KillSwitchView of(KillSwitch.State s) {
      return s.engaged() ? new KillSwitchView(true, s.reason(), s.since()) : new KillSwitchView(false, null, null);
    }
  }

  @Override
  public List<ApiRoute> routes() {
    String path = "/api/tenants/{tenantId}/ops/settings";
    return List.of(
        ApiRoute.of("GET " + path, "The tenant's mode and daily token budget",
            ctx -> ctx.json(view(settings.get(PathTenant.require(ctx, tenants))))).answers(200, "the settings", SettingsView.class),
        ApiRoute.of("PUT " + path, "Change the mode and/or the daily token budget", this::update)
            .body(SettingsChange.class).answers(200, "the settings", SettingsView.class),
        ApiRoute.of("GET /api/ops/kill-switch", "The cluster-wide kill switch",
            ctx -> ctx.json(KillSwitchView.of(killSwitch.state()))).answers(200, "the switch", KillSwitchView.class),
        ApiRoute.of("PUT /api/ops/kill-switch", "Engage the kill switch: no model call leaves any worker", this::engage)
            .body(Engage.class).answers(200, "the switch", KillSwitchView.class),
        ApiRoute.of("DELETE /api/ops/kill-switch", "Release the kill switch",
            ctx -> ctx.json(KillSwitchView.of(killSwitch.release()))).answers(200, "the switch", KillSwitchView.class));
  }

  private void update(Context ctx) {
    String tenantId = PathTenant.require(ctx, tenants);
    SettingsChange change = JsonBody.readChange(ctx, SettingsChange.class);
    Mode mode = change.mode() == null ? null : Mode.fromWire(change.mode().get());
    boolean setBudget = change.dailyTokenBudget() != null;
    Long budget = setBudget ? change.dailyTokenBudget().orElse(null) : null;
    Mode before = settings.get(tenantId).mode();
    TenantSettings.Settings now = settings.update(tenantId, mode, setBudget, budget);
    if (now.mode() != before) {
      reviews.forget(tenantId);
    }
    ctx.json(view(now));
  }

  private void engage(Context ctx) {
    String reason = JsonBody.readOptional(ctx, Engage.class).map(Engage::reason).orElse(null);
    ctx.json(KillSwitchView.of(killSwitch.engage(reason)));
  }

  private SettingsView view(TenantSettings.Settings s) {
    return new SettingsView(s.mode().wire(), s.dailyTokenBudget(),
        s.dailyTokenBudget() != null ? s.dailyTokenBudget() : defaultBudget);
  }
}
