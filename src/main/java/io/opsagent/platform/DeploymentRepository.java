package io.opsagent.platform;

import io.opsagent.db.Ids;
import io.opsagent.db.SecretBox;
import io.opsagent.db.Times;
import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.mapper.reflect.ConstructorMapper;

/**
 * Deployments and their events. A deployment carries its tenant id (copied from its workspace at
 * creation) so that "everything of tenant T" is one indexed query, never a walk over workspaces.
 * Every read returns live deployments only: a deleted one ({@code deleted_at} set) is not found nor
 * listed, and its events are left out of the tenant's recent events (they stay in its own history).
 */
public final class DeploymentRepository {
  private final Jdbi jdbi;
  private final Optional<SecretBox> box;
  private final Clock clock;

  public DeploymentRepository(Jdbi jdbi, Clock clock) {
    this(jdbi, Optional.empty(), clock);
  }

  /**
   * {@code box}: {@code Config.secretKey()} as a {@link SecretBox}, which seals the credentials of a
   * health URL ({@code https://user:password@host/...}); every reader of a deployment sees that URL
   * redacted ({@code https://***@host/...}), only {@link #healthUrlWithCredentials} opens it.
   */
  public DeploymentRepository(Jdbi jdbi, Optional<SecretBox> box, Clock clock) {
    this.clock = clock;
    this.jdbi = jdbi;
    this.box = box;
    jdbi.registerRowMapper(ConstructorMapper.factory(Deployment.class));
    jdbi.registerRowMapper(ConstructorMapper.factory(DeploymentEvent.class));
  }

  public Deployment create(Workspace workspace, String name, DeploymentStatus status, String version) {
    Instant now = Times.current(clock);
    Deployment d = new Deployment(Ids.newId(), workspace.tenantId(), workspace.id(), name, status,
        version, null, null, null, null, null, null, now, now);
    insert(d);
    return d;
  }

  /** Inserts a fully described deployment (fixtures, imports); the id must be new, names are not checked. */
  public void insert(Deployment d) {
    jdbi.useHandle(h -> insert(h, List.of(d)));
  }

  /**
   * Inserts the deployments in one batch; a health URL's credentials are sealed, the URL itself is
   * stored redacted (as {@link #insert(Deployment)} does for one).
   */
  void insert(Handle h, List<Deployment> ds) {
    if (ds.isEmpty()) {
      return;
    }
    var batch = h.prepareBatch("""
            INSERT INTO deployments (id, tenant_id, workspace_id, name, status, version,
                latest_version, version_checked_at, backup_schedule, last_backup_at,
                last_backup_status, health_url, health_url_secret, created_at, updated_at, status_changed_at,
                external_id, source)
            VALUES (:id, :tenantId, :workspaceId, :name, :status, :version,
                :latestVersion, :versionCheckedAt, :backupSchedule, :lastBackupAt,
                :lastBackupStatus, :healthUrl, :secret, :createdAt, :updatedAt, :createdAt,
                :externalId, :source)""");
    for (Deployment d : ds) {
      batch.bindMethods(withHealthUrl(d, redacted(d.healthUrl())))
          .bind("secret", sealedCredentials(d.healthUrl(), d.id()))
          .add();
    }
    batch.execute();
  }

  /** The health URL's credentials sealed for storage ({@code health_url_secret}); null without credentials. */
  String sealedCredentials(String healthUrl, String deploymentId) {
    return credentials(healthUrl).map(u -> seal(u, deploymentId)).orElse(null);
  }

  /**
   * The deployment's health URL with its credentials, for the code that calls it (never for a
   * reader: API answers, logs and the model's context see {@link Deployment#healthUrl()}, redacted).
   */
  public Optional<String> healthUrlWithCredentials(String deploymentId) {
    return jdbi.withHandle(h -> h.createQuery(
            "SELECT COALESCE(health_url_secret, health_url) FROM deployments WHERE id = :id")
        .bind("id", deploymentId).mapTo(String.class).findOne())
        .map(stored -> SecretBox.isSealed(stored) ? box.orElseThrow(() -> new SecretBox.WrongKeyException(
            "the health URL of deployment " + deploymentId + " is sealed and OPSAGENT_SECRET_KEY is not set"))
            .open(stored, "deployment.health_url:" + deploymentId) : stored);
  }

  /** {@code url} with its user and password replaced by {@code ***}; unchanged without them. */
  public static String redacted(String url) {
    return credentials(url).map(u -> u.replaceFirst("^([A-Za-z][A-Za-z0-9+.-]*://)[^/?#]*@", "$1***@"))
        .orElse(url);
  }

  private static Optional<String> credentials(String url) {
    if (url == null) {
      return Optional.empty();
    }
    try {
      return java.net.URI.create(url).getRawUserInfo() == null ? Optional.empty() : Optional.of(url);
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  private String seal(String url, String deploymentId) {
    return box.map(b -> b.seal(url, "deployment.health_url:" + deploymentId)).orElse(url);
  }

  private static Deployment withHealthUrl(Deployment d, String healthUrl) {
    return new Deployment(d.id(), d.tenantId(), d.workspaceId(), d.name(), d.status(), d.version(),
        d.latestVersion(), d.versionCheckedAt(), d.backupSchedule(), d.lastBackupAt(), d.lastBackupStatus(),
        healthUrl, d.createdAt(), d.updatedAt(), d.externalId(), d.source());
  }

  public Optional<Deployment> find(String deploymentId) {
    return jdbi.withHandle(h -> h.createQuery("SELECT * FROM deployments WHERE id = :id AND deleted_at IS NULL")
        .bind("id", deploymentId)
        .mapTo(Deployment.class)
        .findOne());
  }

  public Optional<Deployment> find(String tenantId, String deploymentId) {
    return jdbi.withHandle(h -> h.createQuery(
            "SELECT * FROM deployments WHERE id = :id AND tenant_id = :tenantId AND deleted_at IS NULL")
        .bind("id", deploymentId)
        .bind("tenantId", tenantId)
        .mapTo(Deployment.class)
        .findOne());
  }

  /** The tenant's deployments in any of {@code statuses}, ordered by workspace then name. */
  public List<Deployment> listByTenant(String tenantId, Collection<DeploymentStatus> statuses) {
    if (statuses.isEmpty()) {
      return List.of();
    }
    return jdbi.withHandle(h -> h.createQuery("""
            SELECT * FROM deployments
            WHERE tenant_id = :tenantId AND status IN (<statuses>) AND deleted_at IS NULL
            ORDER BY workspace_id, name, id""")
        .bind("tenantId", tenantId)
        .bindList("statuses", statuses.stream().map(Enum::name).toList())
        .mapTo(Deployment.class)
        .list());
  }

  /** The workspace's deployments, ordered by name. */
  public List<Deployment> listByWorkspace(String workspaceId) {
    return jdbi.withHandle(h -> h.createQuery(
            "SELECT * FROM deployments WHERE workspace_id = :workspaceId AND deleted_at IS NULL ORDER BY name, id")
        .bind("workspaceId", workspaceId)
        .mapTo(Deployment.class)
        .list());
  }

  /** The workspace's live deployment with this external id. */
  public Optional<Deployment> findByExternalId(String workspaceId, String externalId) {
    return jdbi.withHandle(h -> findBy(h, workspaceId, "external_id", externalId));
  }

  static Optional<Deployment> findBy(Handle h, String workspaceId, String column, String value) {
    return h.createQuery("SELECT * FROM deployments WHERE workspace_id = :workspaceId AND " + column
            + " = :v AND deleted_at IS NULL ORDER BY id LIMIT 1")
        .bind("workspaceId", workspaceId)
        .bind("v", value)
        .mapTo(Deployment.class)
        .findOne();
  }

  /** Every live deployment of the tenant, whatever its status (the inventory's view). */
  static List<Deployment> listAllByTenant(Handle h, String tenantId) {
    return h.createQuery("SELECT * FROM deployments WHERE tenant_id = :tenantId AND deleted_at IS NULL")
        .bind("tenantId", tenantId)
        .mapTo(Deployment.class)
        .list();
  }

  static void rename(Handle h, String deploymentId, String name, String externalId, Instant now) {
    h.createUpdate("""
            UPDATE deployments SET name = :name, external_id = :externalId, updated_at = :now
            WHERE id = :id AND deleted_at IS NULL""")
        .bind("id", deploymentId).bind("name", name).bind("externalId", externalId).bind("now", now)
        .execute();
  }

  /**
   * Marks the live ones of {@code deploymentIds} deleted, in one statement per 1,000, and returns
   * their ids (those already deleted are left as they are).
   */
  static List<String> softDelete(Handle h, Collection<String> deploymentIds, Instant at) {
    List<String> ids = List.copyOf(deploymentIds);
    List<String> deleted = new java.util.ArrayList<>();
    for (int from = 0; from < ids.size(); from += 1000) {
      List<String> chunk = ids.subList(from, Math.min(ids.size(), from + 1000));
      deleted.addAll(h.createQuery(
              "SELECT id FROM deployments WHERE id IN (<ids>) AND deleted_at IS NULL")
          .bindList("ids", chunk).mapTo(String.class).list());
      h.createUpdate("""
              UPDATE deployments SET deleted_at = :at, live_key = NULL, updated_at = :at
              WHERE id IN (<ids>) AND deleted_at IS NULL""")
          .bindList("ids", chunk).bind("at", at)
          .execute();
    }
    return deleted;
  }

  /** The live deployments of these workspaces' ids. */
  static List<String> idsInWorkspaces(Handle h, List<String> workspaceIds) {
    if (workspaceIds.isEmpty()) {
      return List.of();
    }
    return h.createQuery("SELECT id FROM deployments WHERE workspace_id IN (<ids>) AND deleted_at IS NULL")
        .bindList("ids", workspaceIds).mapTo(String.class).list();
  }

  /**
   * Writes the facts of {@code changed} (version, latest version and when it was checked, health URL,
   * backup schedule, last backup and its status; never the status, which only events move) over
   * {@code current}. A changed version is recorded as a {@code version_changed} event in the same
   * transaction, so the history shows when it happened. Returns the deployment as stored.
   */
  public Deployment updateFacts(Deployment current, Deployment changed) {
    Instant now = Times.current(clock);
    String given = changed.healthUrl();
    // the redacted URL given back unchanged keeps its credentials
    boolean keepSecret = given != null && given.equals(current.healthUrl());
    String secret = keepSecret ? null : credentials(given).map(u -> seal(u, current.id())).orElse(null);
    changed = withHealthUrl(changed, keepSecret ? given : redacted(given));
    Deployment stored = changed;
    jdbi.useTransaction(h -> {
      if (!keepSecret) {
        h.createUpdate("UPDATE deployments SET health_url_secret = :secret WHERE id = :id")
            .bind("secret", secret).bind("id", current.id()).execute();
      }
      h.createUpdate("""
              UPDATE deployments SET version = :version, latest_version = :latestVersion,
                  version_checked_at = :versionCheckedAt, backup_schedule = :backupSchedule,
                  last_backup_at = :lastBackupAt, last_backup_status = :lastBackupStatus,
                  health_url = :healthUrl, updated_at = :now
              WHERE id = :id AND tenant_id = :tenantId AND deleted_at IS NULL""")
          .bindMethods(stored)
          .bind("now", now)
          .execute();
      if (!Objects.equals(current.version(), stored.version())) {
        var e = new DeploymentEvent(Ids.newId(), current.tenantId(), current.id(),
            "version_changed", null, "version " + shown(current.version()) + " → " + shown(stored.version()), now);
        insertEvent(h, e);
        recordVersions(h, e.id(), stored.version(), current.version());
      }
    });
    return find(current.tenantId(), current.id()).orElseThrow();
  }

  /**
   * Records an event; when it carries a status, moves the deployment to it in the same
   * transaction, so the status and the event that explains it are never seen apart. A status other
   * than the current one also moves {@code status_changed_at} (how long it has been failing, for the
   * watchdog); a repeated report of the same status does not.
   */
  public DeploymentEvent recordEvent(Deployment deployment, String type, DeploymentStatus status,
      String message) {
    return recordEvent(deployment, type, status, message, null);
  }

  /**
   * As above; a {@code version} other than the deployment's moves it to that version too, and the
   * event records the version it moved to and the one it left (the version history).
   */
  public DeploymentEvent recordEvent(Deployment deployment, String type, DeploymentStatus status,
      String message, String version) {
    DeploymentEvent e = new DeploymentEvent(Ids.newId(), deployment.tenantId(), deployment.id(),
        type, status, message, Times.current(clock));
    jdbi.useTransaction(h -> {
      insertEvent(h, e);
      if (version != null && !version.equals(deployment.version())) {
        h.createUpdate("UPDATE deployments SET version = :version, updated_at = :at WHERE id = :id")
            .bind("version", version).bind("at", e.createdAt()).bind("id", deployment.id()).execute();
        recordVersions(h, e.id(), version, deployment.version());
      }
      if (status != null) {
        h.createUpdate("""
                UPDATE deployments SET status = :status, updated_at = :at,
                    status_changed_at = CASE WHEN status = :status THEN COALESCE(status_changed_at, :at) ELSE :at END
                WHERE id = :id""")
            .bind("status", status)
            .bind("at", e.createdAt())
            .bind("id", deployment.id())
            .execute();
      }
    });
    return e;
  }

  /** Version history: the version an event moved the deployment to, and the one it left. */
  static void recordVersions(Handle h, String eventId, String version, String previous) {
    h.createUpdate("UPDATE deployment_events SET version = :v, previous_version = :p WHERE id = :id")
        .bind("v", version).bind("p", previous).bind("id", eventId).execute();
  }

  private static String shown(String version) {
    return version == null ? "(none)" : version;
  }

  static void insertEvent(Handle h, DeploymentEvent e) {
    h.createUpdate("""
            INSERT INTO deployment_events (id, tenant_id, deployment_id, type, status, message, created_at)
            VALUES (:id, :tenantId, :deploymentId, :type, :status, :message, :createdAt)""")
        .bindMethods(e)
        .execute();
  }

  /**
   * The tenant's events at or after {@code since}, newest first, at most {@code limit}; a deleted
   * deployment's events are left out.
   */
  public List<DeploymentEvent> eventsSince(String tenantId, Instant since, int limit) {
    return jdbi.withHandle(h -> h.createQuery("""
            SELECT e.* FROM deployment_events e
            WHERE e.tenant_id = :tenantId AND e.created_at >= :since
              AND NOT EXISTS (SELECT 1 FROM deployments d WHERE d.id = e.deployment_id AND d.deleted_at IS NOT NULL)
            ORDER BY e.created_at DESC, e.id DESC
            LIMIT :limit""")
        .bind("tenantId", tenantId)
        .bind("since", since)
        .bind("limit", limit)
        .mapTo(DeploymentEvent.class)
        .list());
  }

  /**
   * One page of the deployment's events, newest first: at most {@code limit}, strictly older than
   * the event {@code beforeEventId} when given (the last id of the previous page), so every event
   * is listed exactly once. Empty when {@code beforeEventId} is not one of the deployment's events.
   */
  public Optional<List<DeploymentEvent>> events(String deploymentId, String beforeEventId, int limit) {
    return jdbi.withHandle(h -> {
      if (beforeEventId == null) {
        return Optional.of(h.createQuery("""
                SELECT * FROM deployment_events WHERE deployment_id = :d
                ORDER BY created_at DESC, id DESC LIMIT :limit""")
            .bind("d", deploymentId).bind("limit", limit)
            .mapTo(DeploymentEvent.class).list());
      }
      Optional<DeploymentEvent> before = h.createQuery(
              "SELECT * FROM deployment_events WHERE id = :id AND deployment_id = :d")
          .bind("id", beforeEventId).bind("d", deploymentId)
          .mapTo(DeploymentEvent.class).findOne();
      return before.map(b -> h.createQuery("""
              SELECT * FROM deployment_events WHERE deployment_id = :d
                AND (created_at < :at OR (created_at = :at AND id < :id))
              ORDER BY created_at DESC, id DESC LIMIT :limit""")
          .bind("d", deploymentId).bind("at", b.createdAt()).bind("id", b.id()).bind("limit", limit)
          .mapTo(DeploymentEvent.class).list());
    });
  }
}
