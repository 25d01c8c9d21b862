package io.opsagent.trust;

import io.opsagent.db.Times;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * A tenant's agent settings ({@code ops_tenant_settings}): its {@link Mode} and its daily token
 * budget override. A tenant without a row is {@code live} with the default budget; a tenant created
 * while {@code OPSAGENT_DEFAULT_MODE=dry-run} gets a {@code dry-run} row at creation.
 */
public final class TenantSettings {

  /** {@code dailyTokenBudget} null = the default ({@code OPSAGENT_DAILY_TOKEN_BUDGET}). */
  public record Settings(Mode mode, Long dailyTokenBudget) {
    public static final Settings DEFAULT = new Settings(Mode.LIVE, null);
  }

  private final Jdbi jdbi;
  private final Mode defaultMode;
  private final Clock clock;

  /** {@code defaultMode}: the mode new tenants start in ({@code OPSAGENT_DEFAULT_MODE}). */
  public TenantSettings(Jdbi jdbi, Mode defaultMode, Clock clock) {
    this.clock = clock;
    this.jdbi = jdbi;
    this.defaultMode = defaultMode;
  }

  public Settings get(String tenantId) {
    return jdbi.withHandle(h -> find(h, tenantId)).orElse(Settings.DEFAULT);
  }

  /** Called when a tenant is created: it starts in the configured default mode. */
  public void initialise(String tenantId) {
    if (defaultMode != Mode.LIVE) {
      update(tenantId, defaultMode, false, null);
    }
  }

  /**
   * Changes the mode (when {@code mode} is not null) and/or the budget (when {@code setBudget}; a null
   * {@code budget} restores the default). Returns the settings now in force.
   */
  public Settings update(String tenantId, Mode mode, boolean setBudget, Long budget) {
    return jdbi.inTransaction(h -> {
      Settings now = find(h, tenantId).orElse(null);
      Settings next = new Settings(mode != null ? mode : now == null ? Mode.LIVE : now.mode(),
          setBudget ? budget : now == null ? null : now.dailyTokenBudget());
      h.createUpdate(now == null
              ? "INSERT INTO ops_tenant_settings (tenant_id, mode, daily_token_budget, updated_at)"
                  + " VALUES (:tenantId, :mode, :budget, :now)"
              : "UPDATE ops_tenant_settings SET mode = :mode, daily_token_budget = :budget,"
                  + " updated_at = :now WHERE tenant_id = :tenantId")
          .bind("tenantId", tenantId)
          .bind("mode", next.mode().wire())
          .bind("budget", next.dailyTokenBudget())
          .bind("now", Times.current(clock))
          .execute();
      return next;
    });
  }

  /** The mode of each of {@code ids} (one query; tenants without a row are live). */
  public Map<String, Mode> modes(List<String> ids) {
    Map<String, Mode> out = new HashMap<>();
    ids.forEach(id -> out.put(id, Mode.LIVE));
    if (!ids.isEmpty()) {
      jdbi.useHandle(h -> h.createQuery(
              "SELECT tenant_id, mode FROM ops_tenant_settings WHERE tenant_id IN (<ids>)")
          .bindList("ids", ids)
          .map((rs, ctx) -> out.put(rs.getString("tenant_id"), Mode.fromWire(rs.getString("mode"))))
          .list());
    }
    return out;
  }

  private static java.util.Optional<Settings> find(Handle h, String tenantId) {
    return h.createQuery("SELECT mode, daily_token_budget FROM ops_tenant_settings WHERE tenant_id = :id")
        .bind("id", tenantId)
        .map((rs, ctx) -> {
          long b = rs.getLong("daily_token_budget");
          Long budget = rs.wasNull() ? null : b;
          return new Settings(Mode.fromWire(rs.getString("mode")), budget);
        })
        .findOne();
  }
}
