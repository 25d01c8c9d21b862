package io.opsagent.api.routes;

import io.opsagent.agent.guard.CircuitBreaker;
import io.opsagent.agent.run.OpsRun;
import io.opsagent.platform.Tenant;
import io.opsagent.trust.TenantSettings;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.mapper.reflect.ConstructorMapper;

/**
 * Tenants with their agent's status, for {@code GET /api/tenants}: a page of any size costs the same
 * six queries (tenants, schedule switches, deployment counts, breaker streaks, modes, latest runs),
 * never one per tenant.
 *
 * <p>{@code paused} is {@link CircuitBreaker}'s "open", computed here for many tenants at once with
 * the same rule: the last {@value CircuitBreaker#FAILURES_TO_OPEN} completed-or-failed runs finished
 * after the last reset all failed. {@code pausedUntil} is when the next probe may run (the latest
 * failure plus {@code OPSAGENT_CIRCUIT_PAUSE}); the tenant stays paused until a probe succeeds.
 */
public final class TenantStatusQuery {
  /** The mode every tenant runs in until per-tenant modes exist. */
  static final String LIVE = "live";

  /**
   * One tenant and what its agent is doing; {@code pausedUntil} and {@code lastRun} may be null.
   * {@code unpageable}: a FAILED or DEGRADED deployment of it has no enabled channel to be paged on.
   */
  public record TenantStatus(Tenant tenant, boolean opsEnabled, boolean paused, Instant pausedUntil,
      String mode, int failed, int degraded, OpsRun lastRun, boolean unpageable) {}

  private record Counted(String tenantId, boolean failed, Instant finishedAt) {}

  private final Jdbi jdbi;
  private final TenantSettings settings;
  private final RunQueries runs;
  private final Duration circuitPause;

  /**
   * {@code circuitPause}: {@code Config.circuitPause()}, as the breaker is configured;
   * {@code settings}: where each tenant's mode is read.
   */
  public TenantStatusQuery(Jdbi jdbi, Duration circuitPause, TenantSettings settings) {
    this.settings = settings;
    this.jdbi = jdbi;
    this.runs = new RunQueries(jdbi);
    this.circuitPause = circuitPause;
    jdbi.registerRowMapper(ConstructorMapper.factory(Tenant.class));
  }

  /** Tenants in id order after {@code afterId} (exclusive; empty for the first page). */
  public List<TenantStatus> list(Optional<String> afterId, int limit) {
    List<Tenant> page = jdbi.withHandle(h -> h.createQuery(
            "SELECT * FROM tenants WHERE id > :after AND deleted_at IS NULL ORDER BY id LIMIT :limit")
        .bind("after", afterId.orElse(""))
        .bind("limit", limit)
        .mapTo(Tenant.class)
        .list());
    return statuses(page);
  }

  /** The live tenant with this external id. */
  public Optional<TenantStatus> byExternalId(String externalId) {
    Optional<Tenant> tenant = jdbi.withHandle(h -> h.createQuery(
            "SELECT * FROM tenants WHERE external_id = :e AND deleted_at IS NULL")
        .bind("e", externalId)
        .mapTo(Tenant.class)
        .findOne());
    return tenant.map(t -> statuses(List.of(t)).get(0));
  }

  public Optional<TenantStatus> one(String tenantId) {
    Optional<Tenant> tenant = jdbi.withHandle(h -> h.createQuery("SELECT * FROM tenants WHERE id = :id AND deleted_at IS NULL")
        .bind("id", tenantId)
        .mapTo(Tenant.class)
        .findOne());
    return tenant.map(t -> statuses(List.of(t)).get(0));
  }

  private List<TenantStatus> statuses(List<Tenant> tenants) {
    if (tenants.isEmpty()) {
      return List.of();
    }
    List<String> ids = tenants.stream().map(Tenant::id).toList();
    Map<String, OpsRun> lastRuns = runs.latest(ids);
    return jdbi.withHandle(h -> {
      Set<String> disabled = new HashSet<>(h.createQuery(
              "SELECT tenant_id FROM ops_schedules WHERE tenant_id IN (<ids>) AND enabled = FALSE")
          .bindList("ids", ids).mapTo(String.class).list());
      Map<String, int[]> counts = counts(h, ids);
      Map<String, Instant> pausedUntil = pausedUntil(h, ids);
      Map<String, String> modes = modes(ids);
      Set<String> unpageable = unpageable(h, ids);
      List<TenantStatus> out = new ArrayList<>();
      for (Tenant t : tenants) {
        int[] c = counts.getOrDefault(t.id(), new int[2]);
        Instant until = pausedUntil.get(t.id());
        out.add(new TenantStatus(t, !disabled.contains(t.id()), until != null, until, modes.get(t.id()),
            c[0], c[1], lastRuns.get(t.id()), unpageable.contains(t.id())));
      }
      return out;
    });
  }

  /**
   * The tenants of {@code ids} (all when null) with a FAILED or DEGRADED deployment that no enabled
   * channel would page.
   */
  private static Set<String> unpageable(Handle h, List<String> ids) {
    var query = h.createQuery("""
            SELECT DISTINCT d.tenant_id FROM deployments d
            WHERE d.status IN ('FAILED', 'DEGRADED') AND d.deleted_at IS NULL
              AND NOT EXISTS (SELECT 1 FROM notification_channels c
                  WHERE c.tenant_id = d.tenant_id AND c.enabled = TRUE AND c.deleted_at IS NULL
                    AND (c.workspace_id IS NULL OR c.workspace_id = d.workspace_id))"""
        + (ids == null ? "" : "\n AND d.tenant_id IN (<ids>)"));
    if (ids != null) {
      query.bindList("ids", ids);
    }
    return new HashSet<>(query.mapTo(String.class).list());
  }

  /**
   * How many tenants are unpageable now, over all tenants (as {@code GET /api/tenants} shows
   * {@code unpageable: true}): the {@code opsagent_tenants_unpageable} gauge. One query.
   */
  public int unpageableCount() {
    return jdbi.withHandle(h -> unpageable(h, null)).size();
  }

  /** FAILED and DEGRADED deployments per tenant. */
  private static Map<String, int[]> counts(Handle h, List<String> ids) {
    Map<String, int[]> out = new HashMap<>();
    h.createQuery("""
            SELECT tenant_id, status, COUNT(*) AS n FROM deployments
            WHERE tenant_id IN (<ids>) AND status IN ('FAILED', 'DEGRADED') AND deleted_at IS NULL
            GROUP BY tenant_id, status""")
        .bindList("ids", ids)
        .map((rs, ctx) -> {
          int[] c = out.computeIfAbsent(rs.getString("tenant_id"), k -> new int[2]);
          c["FAILED".equals(rs.getString("status")) ? 0 : 1] = rs.getInt("n");
          return c;
        })
        .list();
    return out;
  }

  /**
   * How many tenants are paused (their breaker open) now, over all tenants: the
   * {@code opsagent_tenants_paused} gauge. One query, one index lookup per tenant.
   */
  public int pausedCount() {
    return jdbi.withHandle(h -> pausedUntil(h, null)).size();
  }

  /** For each tenant (of {@code ids}; all when null) whose breaker is open, when its next probe may run. */
  private Map<String, Instant> pausedUntil(Handle h, List<String> ids) {
    Map<String, List<Counted>> streaks = new HashMap<>();
    var query = h.createQuery("""
            SELECT c.tenant_id, c.status, c.finished_at FROM tenants t CROSS JOIN LATERAL (
                SELECT r.tenant_id, r.status, r.finished_at FROM ops_agent_runs r
                WHERE r.tenant_id = t.id AND r.status IN ('completed', 'failed')
                  AND NOT EXISTS (SELECT 1 FROM ops_circuit_breakers b
                                  WHERE b.tenant_id = r.tenant_id AND b.reset_at >= r.finished_at)
                ORDER BY r.started_at DESC, r.id DESC
                LIMIT :limit) c
            WHERE t.deleted_at IS NULL"""
            + (ids == null ? "" : "\n AND t.id IN (<ids>)"));
    if (ids != null) {
      query.bindList("ids", ids);
    }
    query
        .bind("limit", CircuitBreaker.FAILURES_TO_OPEN)
        .map((rs, ctx) -> new Counted(rs.getString("tenant_id"), "failed".equals(rs.getString("status")),
            rs.getTimestamp("finished_at").toInstant()))
        .forEach(c -> streaks.computeIfAbsent(c.tenantId(), k -> new ArrayList<>()).add(c));
    Map<String, Instant> out = new HashMap<>();
    streaks.forEach((tenantId, runs) -> {
      if (runs.size() == CircuitBreaker.FAILURES_TO_OPEN && runs.stream().allMatch(Counted::failed)) {
        Instant latest = runs.stream().map(Counted::finishedAt).max(Instant::compareTo).orElseThrow();
        out.put(tenantId, latest.plus(circuitPause));
      }
    });
    return out;
  }

  /** Each tenant's mode ({@code live} or {@code dry-run}), in one query for the page. */
  private Map<String, String> modes(List<String> ids) {
    Map<String, String> out = new HashMap<>();
    settings.modes(ids).forEach((id, mode) -> out.put(id, mode.wire()));
    return out;
  }
}
