package io.opsagent.platform;

import io.opsagent.db.Ids;
import io.opsagent.db.Times;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.mapper.reflect.ConstructorMapper;

/**
 * Creating, renaming and deleting tenants, workspaces and deployments as the API does: names and
 * external ids are unique per parent among live objects (a tenant's parent is the installation, a
 * workspace's its tenant, a deployment's its workspace), checked under {@link WriteLock} so two
 * concurrent creations cannot both pass; a duplicate is an {@link AlreadyExistsException} naming
 * the existing object.
 *
 * <p>Delete is soft: {@code deleted_at} is set, the object is no longer found nor listed, and its
 * name and external id are free again; its runs, events, incidents and audit stay. Deleting a
 * tenant deletes its workspaces and deployments, deleting a workspace its deployments, in the same
 * transaction; after the commit {@link Removals} is told, so the agent stops watching them.
 */
public final class PlatformObjects {
  private final Jdbi jdbi;
  private final DeploymentRepository deployments;
  private final Removals removals;
  private final Clock clock;

  /** {@code deployments} stores new deployments (it seals health URL credentials). */
  public PlatformObjects(Jdbi jdbi, DeploymentRepository deployments, Removals removals, Clock clock) {
    this.jdbi = jdbi;
    this.clock = Objects.requireNonNull(clock, "clock");
    this.deployments = Objects.requireNonNull(deployments, "deployments");
    this.removals = Objects.requireNonNull(removals, "removals");
    jdbi.registerRowMapper(ConstructorMapper.factory(Tenant.class));
    jdbi.registerRowMapper(ConstructorMapper.factory(Workspace.class));
    jdbi.registerRowMapper(ConstructorMapper.factory(Deployment.class));
  }

  public Tenant createTenant(String name, String externalId) {
    return jdbi.inTransaction(h -> {
      WriteLock.take(h);
      checkTenant(h, null, name, externalId);
      return TenantRepository.insert(h, name, externalId, Source.API, Times.current(clock));
    });
  }

  public Workspace createWorkspace(String tenantId, String name, String externalId) {
    return jdbi.inTransaction(h -> {
      WriteLock.take(h);
      checkWorkspace(h, tenantId, null, name, externalId);
      return WorkspaceRepository.insert(h, tenantId, name, externalId, Source.API, Times.current(clock));
    });
  }

  public Deployment createDeployment(Workspace w, String name, DeploymentStatus status, String version,
      String externalId) {
    Instant now = Times.current(clock);
    Deployment d = new Deployment(Ids.newId(), w.tenantId(), w.id(), name, status, version, null, null, null,
        null, null, null, now, now, externalId, Source.API);
    jdbi.useTransaction(h -> {
      WriteLock.take(h);
      checkDeployment(h, w.id(), null, name, externalId);
      deployments.insert(h, List.of(d));
    });
    return d;
  }

  /** Gives the tenant this name and external id (null clears it); returns it as stored. */
  public Tenant updateTenant(Tenant t, String name, String externalId) {
    jdbi.useTransaction(h -> {
      WriteLock.take(h);
      checkTenant(h, t.id(), name, externalId);
      TenantRepository.update(h, t.id(), name, externalId);
    });
    return new Tenant(t.id(), name, t.createdAt(), externalId, t.source());
  }

  public Workspace updateWorkspace(Workspace w, String name, String externalId) {
    jdbi.useTransaction(h -> {
      WriteLock.take(h);
      checkWorkspace(h, w.tenantId(), w.id(), name, externalId);
      WorkspaceRepository.update(h, w.id(), name, externalId);
    });
    return new Workspace(w.id(), w.tenantId(), name, w.createdAt(), externalId, w.source());
  }

  /** Gives the deployment this name and external id; its other facts are changed by {@link DeploymentRepository}. */
  public void renameDeployment(Deployment d, String name, String externalId) {
    jdbi.useTransaction(h -> {
      WriteLock.take(h);
      checkDeployment(h, d.workspaceId(), d.id(), name, externalId);
      DeploymentRepository.rename(h, d.id(), name, externalId, Times.current(clock));
    });
  }

  /** Soft-deletes the tenant, its workspaces and its deployments; false when it was not live. */
  public boolean deleteTenant(String tenantId) {
    Instant at = Times.current(clock);
    Optional<Removals.Removed> removed = jdbi.inTransaction(h -> {
      WriteLock.take(h);
      if (!TenantRepository.softDelete(h, tenantId, at)) {
        return Optional.empty();
      }
      List<String> workspaces = WorkspaceRepository.listByTenant(h, tenantId).stream().map(Workspace::id).toList();
      return Optional.of(removeWorkspaces(h, tenantId, true, workspaces, at));
    });
    removed.ifPresent(removals::removed);
    return removed.isPresent();
  }

  /** Soft-deletes the workspace and its deployments; false when it was not live. */
  public boolean deleteWorkspace(Workspace w) {
    Instant at = Times.current(clock);
    Removals.Removed removed = jdbi.inTransaction(h -> {
      WriteLock.take(h);
      return removeWorkspaces(h, w.tenantId(), false, List.of(w.id()), at);
    });
    if (removed.isEmpty()) {
      return false;
    }
    removals.removed(removed);
    return true;
  }

  /** Soft-deletes the deployment; false when it was not live. */
  public boolean deleteDeployment(Deployment d) {
    List<String> gone = jdbi.inTransaction(h -> {
      WriteLock.take(h);
      return DeploymentRepository.softDelete(h, List.of(d.id()), Times.current(clock));
    });
    if (gone.isEmpty()) {
      return false;
    }
    removals.removed(new Removals.Removed(d.tenantId(), false, List.of(), gone));
    return true;
  }

  private static Removals.Removed removeWorkspaces(Handle h, String tenantId, boolean tenantRemoved,
      List<String> workspaceIds, Instant at) {
    List<String> deployments = DeploymentRepository.idsInWorkspaces(h, workspaceIds);
    List<String> live = workspaceIds.isEmpty() ? List.of() : h.createQuery(
            "SELECT id FROM workspaces WHERE id IN (<ids>) AND deleted_at IS NULL")
        .bindList("ids", workspaceIds).mapTo(String.class).list();
    WorkspaceRepository.softDelete(h, live, at);
    return new Removals.Removed(tenantId, tenantRemoved, live,
        DeploymentRepository.softDelete(h, deployments, at));
  }

  private static void checkTenant(Handle h, String self, String name, String externalId) {
    TenantRepository.findBy(h, "name", name).filter(t -> !t.id().equals(self)).ifPresent(t -> {
      throw new AlreadyExistsException("a tenant named '" + name + "' already exists", t.id());
    });
    if (externalId != null) {
      TenantRepository.findBy(h, "external_id", externalId).filter(t -> !t.id().equals(self)).ifPresent(t -> {
        throw new AlreadyExistsException("a tenant with externalId '" + externalId + "' already exists", t.id());
      });
    }
  }

  private static void checkWorkspace(Handle h, String tenantId, String self, String name, String externalId) {
    WorkspaceRepository.findBy(h, tenantId, "name", name).filter(w -> !w.id().equals(self)).ifPresent(w -> {
      throw new AlreadyExistsException("a workspace named '" + name + "' already exists in this tenant", w.id());
    });
    if (externalId != null) {
      WorkspaceRepository.findBy(h, tenantId, "external_id", externalId).filter(w -> !w.id().equals(self))
          .ifPresent(w -> {
            throw new AlreadyExistsException("a workspace with externalId '" + externalId
                + "' already exists in this tenant", w.id());
          });
    }
  }

  private static void checkDeployment(Handle h, String workspaceId, String self, String name, String externalId) {
    DeploymentRepository.findBy(h, workspaceId, "name", name).filter(d -> !d.id().equals(self)).ifPresent(d -> {
      throw new AlreadyExistsException("a deployment named '" + name + "' already exists in this workspace",
          d.id());
    });
    if (externalId != null) {
      DeploymentRepository.findBy(h, workspaceId, "external_id", externalId).filter(d -> !d.id().equals(self))
          .ifPresent(d -> {
            throw new AlreadyExistsException("a deployment with externalId '" + externalId
                + "' already exists in this workspace", d.id());
          });
    }
  }
}
