package io.opsagent.platform;

import io.opsagent.db.Ids;
import io.opsagent.db.Times;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.mapper.reflect.ConstructorMapper;

/**
 * Tenants. Every read returns live tenants only: a deleted tenant ({@code deleted_at} set) is not
 * found, listed nor scanned, though its rows and history stay. The rule that names are unique
 * lives one step above, in {@link PlatformObjects}.
 */
public final class TenantRepository {
  private final Jdbi jdbi;
  private final Clock clock;

  public TenantRepository(Jdbi jdbi, Clock clock) {
    this.clock = clock;
    this.jdbi = jdbi;
    jdbi.registerRowMapper(ConstructorMapper.factory(Tenant.class));
  }

  /** Inserts a tenant as given (fixtures, imports); names are not checked here. */
  public Tenant create(String name) {
    return jdbi.withHandle(h -> insert(h, name, null, Source.API, Times.current(clock)));
  }

  static Tenant insert(Handle h, String name, String externalId, String source, Instant createdAt) {
    Tenant t = new Tenant(Ids.newId(), name, createdAt, externalId, source);
    h.createUpdate("""
            INSERT INTO tenants (id, name, created_at, external_id, source)
            VALUES (:id, :name, :createdAt, :externalId, :source)""")
        .bindMethods(t)
        .execute();
    return t;
  }

  public Optional<Tenant> find(String tenantId) {
    return jdbi.withHandle(h -> h.createQuery("SELECT * FROM tenants WHERE id = :id AND deleted_at IS NULL")
        .bind("id", tenantId)
        .mapTo(Tenant.class)
        .findOne());
  }

  /** Whether the tenant exists or existed (a deleted tenant's runs and audit chain stay readable). */
  public boolean existed(String tenantId) {
    return jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM tenants WHERE id = :id")
        .bind("id", tenantId).mapTo(Integer.class).one()) > 0;
  }

  /** The live tenant with this external id. */
  public Optional<Tenant> findByExternalId(String externalId) {
    return jdbi.withHandle(h -> findBy(h, "external_id", externalId));
  }

  static Optional<Tenant> findBy(Handle h, String column, String value) {
    return h.createQuery("SELECT * FROM tenants WHERE " + column + " = :v AND deleted_at IS NULL ORDER BY id LIMIT 1")
        .bind("v", value)
        .mapTo(Tenant.class)
        .findOne();
  }

  static void update(Handle h, String tenantId, String name, String externalId) {
    h.createUpdate("UPDATE tenants SET name = :name, external_id = :externalId WHERE id = :id AND deleted_at IS NULL")
        .bind("id", tenantId).bind("name", name).bind("externalId", externalId)
        .execute();
  }

  /** Marks the tenant deleted; its workspaces and deployments are deleted with it by the caller. */
  static boolean softDelete(Handle h, String tenantId, Instant at) {
    return h.createUpdate("""
            UPDATE tenants SET deleted_at = :at, live_key = NULL WHERE id = :id AND deleted_at IS NULL""")
        .bind("id", tenantId).bind("at", at)
        .execute() == 1;
  }

  /**
   * One page of the ids of tenants with at least one deployment that is not STOPPED (a tenant
   * whose deployments all FAILED needs watching most of all), in id order after
   * {@code afterId} (exclusive; "" for the first page). Keyset paging keeps each page an index scan,
   * whatever the number of tenants. Deleted deployments (and so deleted tenants') are not watched.
   */
  public List<String> idsWithWatchedDeployments(String afterId, int limit) {
    return jdbi.withHandle(h -> h.createQuery("""
            SELECT DISTINCT tenant_id FROM deployments
            WHERE status <> 'STOPPED' AND deleted_at IS NULL AND tenant_id > :afterId
            ORDER BY tenant_id
            LIMIT :limit""")
        .bind("afterId", afterId)
        .bind("limit", limit)
        .mapTo(String.class)
        .list());
  }
}
