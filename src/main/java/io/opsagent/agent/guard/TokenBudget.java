package io.opsagent.agent.guard;

import io.opsagent.agent.run.TokenUsage;
import io.opsagent.trust.TenantSettings;
import java.sql.SQLException;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;

/**
 * The per-tenant daily token budget. Tokens count as billed: input + output + cache writes + a
 * tenth of cache reads, over the tenant's finished runs of the UTC day ({@code ops_usage_daily})
 * plus the running cycle's own tokens so far. The budget resets at midnight UTC.
 */
public final class TokenBudget {
  private final Jdbi jdbi;
  private final long defaultBudget;
  private final Clock clock;

  /** {@code defaultBudget}: {@code OPSAGENT_DAILY_TOKEN_BUDGET}. */
  public TokenBudget(Jdbi jdbi, long defaultBudget, Clock clock) {
    this.jdbi = jdbi;
    this.defaultBudget = defaultBudget;
    this.clock = clock;
  }

  /** Tokens weighted as billed. */
  public static long weighted(TokenUsage t) {
    return t.input() + t.output() + t.cacheWrite() + t.cacheRead() / 10;
  }

  /** The tenant's budget for today: its override, or the default. */
  public long limit(TenantSettings.Settings settings) {
    return settings.dailyTokenBudget() != null ? settings.dailyTokenBudget() : defaultBudget;
  }

  /** True when no further model call may be made today ({@code cycleSoFar}: the running cycle's tokens). */
  public boolean exhausted(String tenantId, TenantSettings.Settings settings, TokenUsage cycleSoFar) {
    long limit = limit(settings);
    return limit <= 0 || usedToday(tenantId) + weighted(cycleSoFar) >= limit;
  }

  /** Weighted tokens of the tenant's finished runs today (UTC). */
  public long usedToday(String tenantId) {
    return jdbi.withHandle(h -> h.createQuery("""
            SELECT input_tokens, output_tokens, cache_read_tokens, cache_write_tokens
            FROM ops_usage_daily WHERE tenant_id = :tenantId AND day = :day""")
        .bind("tenantId", tenantId)
        .bind("day", today())
        .map((rs, ctx) -> weighted(new TokenUsage(rs.getLong("input_tokens"), rs.getLong("output_tokens"),
            rs.getLong("cache_read_tokens"), rs.getLong("cache_write_tokens"))))
        .findOne()
        .orElse(0L));
  }

  /**
   * Claims today's "budget spent" notice for the tenant: true exactly once per tenant and UTC day.
   */
  public boolean claimNotice(String tenantId) {
    try {
      jdbi.useHandle(h -> h.createUpdate("INSERT INTO ops_budget_notices (tenant_id, day) VALUES (:tenantId, :day)")
          .bind("tenantId", tenantId)
          .bind("day", today())
          .execute());
      return true;
    } catch (UnableToExecuteStatementException e) {
      if (e.getCause() instanceof SQLException sql && sql.getSQLState() != null
          && sql.getSQLState().startsWith("23")) {
        return false; // already sent today
      }
      throw e;
    }
  }

  private LocalDate today() {
    return LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
  }
}
