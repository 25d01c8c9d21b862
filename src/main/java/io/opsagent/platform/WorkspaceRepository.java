package io.opsagent.platform;

import io.opsagent.db.Ids;
import io.opsagent.db.Times;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.mapper.reflect.ConstructorMapper;

/** Workspaces; every read of a tenant's workspaces takes the tenant id. */
public final class WorkspaceRepository {
  private final Jdbi jdbi;
  private final Clock clock;

  public WorkspaceRepository(Jdbi jdbi, Clock clock) {
    this.clock = clock;
    this.jdbi = jdbi;
    jdbi.registerRowMapper(ConstructorMapper.factory(Workspace.class));
  }

  public Workspace create(String tenantId, String name) {
    Workspace w = new Workspace(Ids.newId(), tenantId, name, Times.current(clock));
    jdbi.useHandle(h -> h.createUpdate("""
            INSERT INTO workspaces (id, tenant_id, name, created_at)
            VALUES (:id, :tenantId, :name, :createdAt)""")
        .bindMethods(w)
        .execute());
    return w;
  }

  /** The workspace, whichever tenant owns it (for routes addressed by workspace id). */
  public Optional<Workspace> find(String workspaceId) {
    return jdbi.withHandle(h -> h.createQuery("SELECT * FROM workspaces WHERE id = :id")
        .bind("id", workspaceId)
        .mapTo(Workspace.class)
        .findOne());
  }

  /** The workspace only if it belongs to {@code tenantId}; another tenant's is "not found". */
  public Optional<Workspace> find(String tenantId, String workspaceId) {
    return jdbi.withHandle(h -> h.createQuery(
            "SELECT * FROM workspaces WHERE id = :id AND tenant_id = :tenantId")
        .bind("id", workspaceId)
        .bind("tenantId", tenantId)
        .mapTo(Workspace.class)
        .findOne());
  }

  public List<Workspace> listByTenant(String tenantId) {
    return jdbi.withHandle(h -> h.createQuery(
            "SELECT * FROM workspaces WHERE tenant_id = :tenantId ORDER BY name, id")
        .bind("tenantId", tenantId)
        .mapTo(Workspace.class)
        .list());
  }
}
