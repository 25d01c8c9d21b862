package io.opsagent.platform;

import io.opsagent.db.Ids;
import io.opsagent.db.Times;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.mapper.reflect.ConstructorMapper;

/**
 * Makes a tenant's workspaces and deployments match its platform's inventory, in one transaction:
 * objects are matched by external id (or, lacking one, an API object of the same name is adopted and
 * given it), created when missing, updated when they differ, and soft-deleted when the inventory no
 * longer lists them. Objects of another {@link Source} are left alone. The same inventory twice
 * changes nothing the second time.
 *
 * <p>A constant number of statements whatever the size: two reads, then one batch per kind of
 * write (inserts, updates, version events, deletes), under {@link WriteLock} like every write that
 * keeps names unique. After the commit {@link Removals} is told what was removed, so the agent stops
 * watching it as it does after a {@code DELETE}.
 */
public final class InventoryReconciler {
  private final Jdbi jdbi;
  private final DeploymentRepository deployments;
  private final Removals removals;
  private final Clock clock;

  /** {@code deployments} stores what the reconcile writes (it seals health URL credentials). */
  public InventoryReconciler(Jdbi jdbi, DeploymentRepository deployments, Removals removals, Clock clock) {
    this.jdbi = jdbi;
    this.clock = Objects.requireNonNull(clock, "clock");
    this.deployments = Objects.requireNonNull(deployments, "deployments");
    this.removals = Objects.requireNonNull(removals, "removals");
    jdbi.registerRowMapper(ConstructorMapper.factory(Workspace.class));
    jdbi.registerRowMapper(ConstructorMapper.factory(Deployment.class));
  }

  /**
   * Reconciles; {@link IllegalArgumentException} for an inventory that names an external id or a
   * name twice under one parent, {@link AlreadyExistsException} when a name is held by an object of
   * another source, {@link NoSuchElementException} when the tenant is gone.
   */
  public Inventory.Result reconcile(String tenantId, List<Inventory.WorkspaceItem> inventory) {
    checkUnique(inventory);
    Plan plan = jdbi.inTransaction(h -> {
      WriteLock.take(h);
      if (h.createQuery("SELECT COUNT(*) FROM tenants WHERE id = :id AND deleted_at IS NULL")
          .bind("id", tenantId).mapTo(Integer.class).one() == 0) {
        throw new NoSuchElementException("tenant not found");
      }
      Plan p = new Plan(tenantId, Times.current(clock), deployments);
      p.compare(WorkspaceRepository.listByTenant(h, tenantId), DeploymentRepository.listAllByTenant(h, tenantId),
          inventory);
      p.write(h);
      return p;
    });
    if (!plan.removedWorkspaces.isEmpty() || !plan.removedDeployments.isEmpty()) {
      removals.removed(new Removals.Removed(tenantId, false, refIds(plan.removedWorkspaces),
          refIds(plan.removedDeployments)));
    }
    return plan.result();
  }

  private static void checkUnique(List<Inventory.WorkspaceItem> inventory) {
    Set<String> ids = new HashSet<>();
    Set<String> names = new HashSet<>();
    for (Inventory.WorkspaceItem w : inventory) {
      if (!ids.add(w.externalId())) {
        throw new IllegalArgumentException("workspace externalId '" + w.externalId() + "' is listed twice");
      }
      if (!names.add(w.name())) {
        throw new IllegalArgumentException("workspace name '" + w.name() + "' is listed twice");
      }
      Set<String> dIds = new HashSet<>();
      Set<String> dNames = new HashSet<>();
      for (Inventory.DeploymentItem d : w.deployments()) {
        if (!dIds.add(d.externalId())) {
          throw new IllegalArgumentException("deployment externalId '" + d.externalId()
              + "' is listed twice in workspace '" + w.externalId() + "'");
        }
        if (!dNames.add(d.name())) {
          throw new IllegalArgumentException("deployment name '" + d.name()
              + "' is listed twice in workspace '" + w.externalId() + "'");
        }
      }
    }
  }

  private static List<String> refIds(List<Inventory.Ref> refs) {
    return refs.stream().map(Inventory.Ref::id).toList();
  }

  private static Inventory.Ref ref(Workspace w) {
    return new Inventory.Ref(w.id(), w.externalId());
  }

  private static Inventory.Ref ref(Deployment d) {
    return new Inventory.Ref(d.id(), d.externalId());
  }

  /** What one reconcile compares and then writes. */
  private static final class Plan {
    final String tenantId;
    final Instant now;
    final DeploymentRepository repo;
    /** The updates whose health URL changed: their stored credentials are replaced. */
    final Set<String> healthChanged = new HashSet<>();
    final List<Workspace> wsInserts = new ArrayList<>();
    final List<Workspace> wsUpdates = new ArrayList<>();
    final List<Deployment> dInserts = new ArrayList<>();
    final List<Deployment> dUpdates = new ArrayList<>();
    final List<DeploymentEvent> versionEvents = new ArrayList<>();
    final Map<String, String> previousVersions = new HashMap<>();
    final List<Inventory.Ref> createdWorkspaces = new ArrayList<>();
    final List<Inventory.Ref> createdDeployments = new ArrayList<>();
    final List<Inventory.Ref> updatedWorkspaces = new ArrayList<>();
    final List<Inventory.Ref> updatedDeployments = new ArrayList<>();
    final List<Inventory.Ref> removedWorkspaces = new ArrayList<>();
    final List<Inventory.Ref> removedDeployments = new ArrayList<>();
    final List<Inventory.Ref> foreignWorkspaces = new ArrayList<>();
    final List<Inventory.Ref> foreignDeployments = new ArrayList<>();
    int unchanged;

    Plan(String tenantId, Instant now, DeploymentRepository repo) {
      this.tenantId = tenantId;
      this.now = now;
      this.repo = repo;
    }

    /**
     * Whether the inventory's health URL differs from the stored one, which readers see redacted:
     * the redacted URL given back keeps its credentials; one with credentials is compared with the
     * credentials stored.
     */
    private boolean healthDiffers(Deployment d, String given) {
      if (Objects.equals(given, d.healthUrl())) {
        return false;
      }
      if (given == null || given.equals(DeploymentRepository.redacted(given))) {
        return true;
      }
      return !given.equals(repo.healthUrlWithCredentials(d.id()).orElse(null));
    }

    void compare(List<Workspace> workspaces, List<Deployment> deployments, List<Inventory.WorkspaceItem> items) {
      Map<String, List<Deployment>> byWorkspace = new HashMap<>();
      deployments.forEach(d -> byWorkspace.computeIfAbsent(d.workspaceId(), k -> new ArrayList<>()).add(d));
      Matcher<Workspace> match = new Matcher<>(workspaces, Workspace::id, Workspace::externalId, Workspace::name,
          Workspace::source);
      Map<String, String> targets = new HashMap<>();
      for (Inventory.WorkspaceItem item : items) {
        Matcher.Match<Workspace> m = match.find(item.externalId(), item.name());
        if (m == null) {
          Workspace w = new Workspace(Ids.newId(), tenantId, item.name(), now, item.externalId(), Source.API);
          wsInserts.add(w);
          createdWorkspaces.add(ref(w));
          targets.put(item.externalId(), w.id());
        } else if (!Source.API.equals(m.object().source())) {
          foreignWorkspaces.add(ref(m.object()));
        } else {
          Workspace w = m.object();
          if (m.adopted() || !w.name().equals(item.name())) {
            wsUpdates.add(new Workspace(w.id(), tenantId, item.name(), w.createdAt(), item.externalId(), w.source()));
            updatedWorkspaces.add(new Inventory.Ref(w.id(), item.externalId()));
          } else {
            unchanged++;
          }
          targets.put(item.externalId(), w.id());
        }
      }
      Map<String, String> keptNames = new HashMap<>();
      for (Workspace w : match.unmatched()) {
        List<Deployment> inside = byWorkspace.getOrDefault(w.id(), List.of());
        if (!Source.API.equals(w.source())) {
          foreignWorkspaces.add(ref(w));
          keptNames.put(w.name(), w.id());
          continue;
        }
        List<Deployment> foreign = new ArrayList<>();
        for (Deployment d : inside) {
          if (Source.API.equals(d.source())) {
            removedDeployments.add(ref(d));
          } else {
            foreign.add(d);
          }
        }
        if (foreign.isEmpty()) {
          removedWorkspaces.add(ref(w));
        } else { // it still holds another source's deployments: it stays with them
          foreignWorkspaces.add(ref(w));
          foreign.forEach(d -> foreignDeployments.add(ref(d)));
          keptNames.put(w.name(), w.id());
        }
      }
      for (Workspace w : match.matchedForeign()) {
        keptNames.put(w.name(), w.id());
      }
      for (Inventory.WorkspaceItem item : items) {
        String target = targets.get(item.externalId());
        String holder = keptNames.get(item.name());
        if (holder != null && !holder.equals(target)) {
          throw new AlreadyExistsException("a workspace named '" + item.name()
              + "' of another source already exists in this tenant", holder);
        }
        if (target != null) {
          compareDeployments(target, byWorkspace.getOrDefault(target, List.of()), item.deployments());
        }
      }
    }

    private void compareDeployments(String workspaceId, List<Deployment> existing,
        List<Inventory.DeploymentItem> items) {
      Matcher<Deployment> match = new Matcher<>(existing, Deployment::id, Deployment::externalId, Deployment::name,
          Deployment::source);
      for (Inventory.DeploymentItem item : items) {
        Matcher.Match<Deployment> m = match.find(item.externalId(), item.name());
        if (m == null) {
          Deployment d = new Deployment(Ids.newId(), tenantId, workspaceId, item.name(),
              item.status() == null ? DeploymentStatus.RUNNING : item.status(), item.version(), null, null,
              item.backupSchedule() == null ? null : item.backupSchedule().orElse(null), null, null,
              item.healthUrl() == null ? null : item.healthUrl().orElse(null), now, now, item.externalId(),
              Source.API);
          dInserts.add(d);
          createdDeployments.add(ref(d));
        } else if (!Source.API.equals(m.object().source())) {
          foreignDeployments.add(ref(m.object()));
        } else {
          Deployment d = m.object();
          String version = item.version() != null ? item.version() : d.version();
          String health = item.healthUrl() != null ? item.healthUrl().orElse(null) : d.healthUrl();
          boolean healthDiffers = item.healthUrl() != null && healthDiffers(d, health);
          String backup = item.backupSchedule() != null ? item.backupSchedule().orElse(null) : d.backupSchedule();
          boolean changed = m.adopted() || !d.name().equals(item.name()) || !Objects.equals(version, d.version())
              || healthDiffers || !Objects.equals(backup, d.backupSchedule());
          if (!changed) {
            unchanged++;
            continue;
          }
          dUpdates.add(new Deployment(d.id(), tenantId, workspaceId, item.name(), d.status(), version,
              d.latestVersion(), d.versionCheckedAt(), backup, d.lastBackupAt(), d.lastBackupStatus(),
              healthDiffers ? health : d.healthUrl(), d.createdAt(), now, item.externalId(), d.source()));
          if (healthDiffers) {
            healthChanged.add(d.id());
          }
          updatedDeployments.add(new Inventory.Ref(d.id(), item.externalId()));
          if (!Objects.equals(version, d.version())) {
            DeploymentEvent e = new DeploymentEvent(Ids.newId(), tenantId, d.id(), "version_changed", null,
                "version " + shown(d.version()) + " → " + shown(version), now);
            versionEvents.add(e);
            previousVersions.put(e.id(), d.version());
          }
        }
      }
      Map<String, String> keptNames = new HashMap<>();
      for (Deployment d : match.unmatched()) {
        if (Source.API.equals(d.source())) {
          removedDeployments.add(ref(d));
        } else {
          foreignDeployments.add(ref(d));
          keptNames.put(d.name(), d.id());
        }
      }
      match.matchedForeign().forEach(d -> keptNames.put(d.name(), d.id()));
      for (Inventory.DeploymentItem item : items) {
        String holder = keptNames.get(item.name());
        Matcher.Match<Deployment> own = match.matchOf(item.externalId());
        if (holder != null && (own == null || !holder.equals(own.object().id()))) {
          throw new AlreadyExistsException("a deployment named '" + item.name()
              + "' of another source already exists in this workspace", holder);
        }
      }
    }

    void write(Handle h) {
      DeploymentRepository.softDelete(h, refIds(removedDeployments), now);
      WorkspaceRepository.softDelete(h, refIds(removedWorkspaces), now);
      if (!wsUpdates.isEmpty()) {
        var batch = h.prepareBatch("UPDATE workspaces SET name = :name, external_id = :externalId WHERE id = :id");
        wsUpdates.forEach(w -> batch.bindMethods(w).add());
        batch.execute();
      }
      if (!wsInserts.isEmpty()) {
        var batch = h.prepareBatch("""
            INSERT INTO workspaces (id, tenant_id, name, created_at, external_id, source)
            VALUES (:id, :tenantId, :name, :createdAt, :externalId, :source)""");
        wsInserts.forEach(w -> batch.bindMethods(w).add());
        batch.execute();
      }
      if (!dUpdates.isEmpty()) {
        var batch = h.prepareBatch("""
            UPDATE deployments SET name = :name, external_id = :externalId, version = :version,
                health_url = :redactedHealthUrl, backup_schedule = :backupSchedule, updated_at = :updatedAt,
                health_url_secret = CASE WHEN :healthChanged THEN :secret ELSE health_url_secret END
            WHERE id = :id""");
        dUpdates.forEach(d -> batch.bindMethods(d)
            .bind("redactedHealthUrl", DeploymentRepository.redacted(d.healthUrl()))
            .bind("healthChanged", healthChanged.contains(d.id()))
            .bind("secret", repo.sealedCredentials(d.healthUrl(), d.id()))
            .add());
        batch.execute();
      }
      repo.insert(h, dInserts);
      if (!versionEvents.isEmpty()) {
        var batch = h.prepareBatch("""
            INSERT INTO deployment_events (id, tenant_id, deployment_id, type, status, message, created_at,
                version, previous_version)
            VALUES (:id, :tenantId, :deploymentId, :type, :status, :message, :createdAt, :version, :previous)""");
        Map<String, String> versions = new HashMap<>();
        dUpdates.forEach(d -> versions.put(d.id(), d.version()));
        versionEvents.forEach(e -> batch.bindMethods(e).bind("version", versions.get(e.deploymentId()))
            .bind("previous", previousVersions.get(e.id())).add());
        batch.execute();
      }
    }

    Inventory.Result result() {
      return new Inventory.Result(
          new Inventory.Objects(createdWorkspaces, createdDeployments),
          new Inventory.Objects(updatedWorkspaces, updatedDeployments),
          new Inventory.Objects(removedWorkspaces, removedDeployments),
          new Inventory.Objects(foreignWorkspaces, foreignDeployments),
          unchanged);
    }

    private static String shown(String version) {
      return version == null ? "(none)" : version;
    }
  }
}
