package io.opsagent.platform;

import io.opsagent.db.Ids;
import io.opsagent.db.Times;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.mapper.reflect.ConstructorMapper;

public final class TenantRepository {
  private final Jdbi jdbi;
  private final Clock clock;

  public TenantRepository(Jdbi jdbi, Clock clock) {
    this.clock = clock;
    this.jdbi = jdbi;
    jdbi.registerRowMapper(ConstructorMapper.factory(Tenant.class));
  }

  public Tenant create(String name) {
    Tenant t = new Tenant(Ids.newId(), name, Times.current(clock));
    jdbi.useHandle(h -> h.createUpdate(
            "INSERT INTO tenants (id, name, created_at) VALUES (:id, :name, :createdAt)")
        .bindMethods(t)
        .execute());
    return t;
  }

  public Optional<Tenant> find(String tenantId) {
    return jdbi.withHandle(h -> h.createQuery("SELECT * FROM tenants WHERE id = :id")
        .bind("id", tenantId)
        .mapTo(Tenant.class)
        .findOne());
  }

  /**
   * One page of the ids of tenants with at least one deployment that is not STOPPED (a tenant
   * whose deployments all FAILED needs watching most of all), in id order after
   * {@code afterId} (exclusive; "" for the first page). Keyset paging keeps each page an index scan,
   * whatever the number of tenants.
   */
  public List<String> idsWithWatchedDeployments(String afterId, int limit) {
    return jdbi.withHandle(h -> h.createQuery("""
            SELECT DISTINCT tenant_id FROM deployments
            WHERE status <> 'STOPPED' AND tenant_id > :afterId
            ORDER BY tenant_id
            LIMIT :limit""")
        .bind("afterId", afterId)
        .bind("limit", limit)
        .mapTo(String.class)
        .list());
  }
}
