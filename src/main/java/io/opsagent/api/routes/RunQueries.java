package io.opsagent.api.routes;

import io.opsagent.agent.run.OpsRun;
import io.opsagent.agent.run.RunRows;
import io.opsagent.agent.run.RunStatus;
import io.opsagent.queue.schedule.Trigger;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/**
 * The reads of {@code ops_agent_runs} only the API needs: a page of a tenant's runs before a given
 * run, filtered, and the latest run of many tenants at once. (The agent's own reads and writes are
 * {@code RunRepository}'s.)
 */
public final class RunQueries {
  /** A page request: runs older than {@code beforeRunId} (if given) matching the filters. */
  record Page(Optional<String> beforeRunId, Optional<RunStatus> status, Optional<Trigger> trigger, int limit) {}

  private final Jdbi jdbi;

  public RunQueries(Jdbi jdbi) {
    this.jdbi = jdbi.installPlugin(new RunRows());
  }

  /**
   * The tenant's runs, newest first, strictly older than {@code before} in that order (started_at,
   * then id): paging with the last id of a page returns every run exactly once. Empty when
   * {@code before} names no run of the tenant.
   */
  Optional<List<OpsRun>> page(String tenantId, Page page) {
    return jdbi.withHandle(h -> {
      Instant beforeStart = null;
      if (page.beforeRunId().isPresent()) {
        Optional<Instant> start = h.createQuery(
                "SELECT started_at FROM ops_agent_runs WHERE id = :id AND tenant_id = :tenantId")
            .bind("id", page.beforeRunId().get())
            .bind("tenantId", tenantId)
            .mapTo(Instant.class)
            .findOne();
        if (start.isEmpty()) {
          return Optional.empty();
        }
        beforeStart = start.get();
      }
      StringBuilder sql = new StringBuilder("SELECT * FROM ops_agent_runs WHERE tenant_id = :tenantId");
      if (beforeStart != null) {
        sql.append(" AND (started_at < :beforeStart OR (started_at = :beforeStart AND id < :beforeId))");
      }
      page.status().ifPresent(s -> sql.append(" AND status = :status"));
      page.trigger().ifPresent(t -> sql.append(" AND \"trigger\" = :trigger"));
      sql.append(" ORDER BY started_at DESC, id DESC LIMIT :limit");
      var q = h.createQuery(sql.toString())
          .bind("tenantId", tenantId)
          .bind("limit", page.limit());
      if (beforeStart != null) {
        q.bind("beforeStart", beforeStart).bind("beforeId", page.beforeRunId().get());
      }
      page.status().ifPresent(s -> q.bind("status", s.wire()));
      page.trigger().ifPresent(t -> q.bind("trigger", t.wire()));
      return Optional.of(q.mapTo(OpsRun.class).list());
    });
  }

  /** The latest run of each of {@code tenantIds} that has one; one query whatever their number. */
  Map<String, OpsRun> latest(Collection<String> tenantIds) {
    if (tenantIds.isEmpty()) {
      return Map.of();
    }
    Map<String, OpsRun> out = new LinkedHashMap<>();
    jdbi.useHandle(h -> h.createQuery("""
            SELECT r.* FROM tenants t CROSS JOIN LATERAL (
                SELECT * FROM ops_agent_runs x WHERE x.tenant_id = t.id
                ORDER BY x.started_at DESC, x.id DESC LIMIT 1) r
            WHERE t.id IN (<ids>)""")
        .bindList("ids", List.copyOf(tenantIds))
        .mapTo(OpsRun.class)
        .forEach(run -> out.put(run.tenantId(), run)));
    return out;
  }
}
