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
 * Workspaces; every read of a tenant's workspaces takes the tenant id, and returns live workspaces
 * only (a deleted one is not found nor listed; its rows stay).
 */
public final class WorkspaceRepository {
  private final Jdbi jdbi;
  private final Clock clock;

  public WorkspaceRepository(Jdbi jdbi, Clock clock) {
    this.clock = clock;
    this.jdbi = jdbi;
    jdbi.registerRowMapper(ConstructorMapper.factory(Workspace.class));
  }

  /** Inserts a workspace as given (fixtures, imports); names are not checked here. */
  public Workspace create(String tenantId, String name) {
    return jdbi.withHandle(h -> insert(h, tenantId, name, null, Source.API, Times.current(clock)));
  }

  static Workspace insert(Handle h, String tenantId, String name, String externalId, String source,
      Instant createdAt) {
    Workspace w = new Workspace(Ids.newId(), tenantId, name, createdAt, externalId, source);
    h.createUpdate("""
            INSERT INTO workspaces (id, tenant_id, name, created_at, external_id, source)
            VALUES (:id, :tenantId, :name, :createdAt, :externalId, :source)""")
        .bindMethods(w)
        .execute();
    return w;
  }

  /** The workspace, whichever tenant owns it (for routes addressed by workspace id). */
  public Optional<Workspace> find(String workspaceId) {
    return jdbi.withHandle(h -> h.createQuery("SELECT * FROM workspaces WHERE id = :id AND deleted_at IS NULL")
        .bind("id", workspaceId)
        .mapTo(Workspace.class)
        .findOne());
  }

  /** The workspace only if it belongs to {@code tenantId}; another tenant's is "not found". */
  public Optional<Workspace> find(String tenantId, String workspaceId) {
    return jdbi.withHandle(h -> h.createQuery(
            "SELECT * FROM workspaces WHERE id = :id AND tenant_id = :tenantId AND deleted_at IS NULL")
        .bind("id", workspaceId)
        .bind("tenantId", tenantId)
        .mapTo(Workspace.class)
        .findOne());
  }

  /** The tenant's live workspace with this external id. */
  public Optional<Workspace> findByExternalId(String tenantId, String externalId) {
    return jdbi.withHandle(h -> findBy(h, tenantId, "external_id", externalId));
  }

  static Optional<Workspace> findBy(Handle h, String tenantId, String column, String value) {
    return h.createQuery("SELECT * FROM workspaces WHERE tenant_id = :tenantId AND " + column
            + " = :v AND deleted_at IS NULL ORDER BY id LIMIT 1")
        .bind("tenantId", tenantId)
        .bind("v", value)
        .mapTo(Workspace.class)
        .findOne();
  }

  public List<Workspace> listByTenant(String tenantId) {
    return jdbi.withHandle(h -> listByTenant(h, tenantId));
  }

  static List<Workspace> listByTenant(Handle h, String tenantId) {
    return h.createQuery(
            "SELECT * FROM workspaces WHERE tenant_id = :tenantId AND deleted_at IS NULL ORDER BY name, id")
        .bind("tenantId", tenantId)
        .mapTo(Workspace.class)
        .list();
  }

  static void update(Handle h, String workspaceId, String name, String externalId) {
    h.createUpdate("""
            UPDATE workspaces SET name = :name, external_id = :externalId
            WHERE id = :id AND deleted_at IS NULL""")
        .bind("id", workspaceId).bind("name", name).bind("externalId", externalId)
        .execute();
  }

  /** Marks the workspaces deleted (all of them, in one statement); returns how many were live. */
  static int softDelete(Handle h, List<String> workspaceIds, Instant at) {
    if (workspaceIds.isEmpty()) {
      return 0;
    }
    return h.createUpdate("""
            UPDATE workspaces SET deleted_at = :at, live_key = NULL
            WHERE id IN (<ids>) AND deleted_at IS NULL""")
        .bindList("ids", workspaceIds).bind("at", at)
        .execute();
  }
}
