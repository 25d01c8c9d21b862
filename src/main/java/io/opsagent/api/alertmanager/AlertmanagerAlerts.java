package io.opsagent.api.alertmanager;

import io.opsagent.db.Times;
import io.opsagent.platform.Deployment;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/**
 * Storage of the Alertmanager webhook: the live deployments an alert's labels name, and the last
 * status seen per deployment and fingerprint ({@code alertmanager_alerts}).
 */
final class AlertmanagerAlerts {
  private final Jdbi jdbi;
  private final Clock clock;

  /** The last status seen of one alert of a deployment. */
  record Seen(String status, String startsAt, boolean critical) {}

  AlertmanagerAlerts(Jdbi jdbi, Clock clock) {
    this.jdbi = jdbi;
    this.clock = clock;
  }

  /** The live deployment with this id, of any tenant. */
  Optional<Deployment> deployment(String id) {
    return jdbi.withHandle(h -> h.createQuery("SELECT * FROM deployments WHERE id = :id AND deleted_at IS NULL")
        .bind("id", id).mapTo(Deployment.class).findOne());
  }

  /** The live deployments, of any tenant, with this external id (more than one: ambiguous). */
  List<Deployment> byExternalId(String externalId) {
    return jdbi.withHandle(h -> h.createQuery("""
            SELECT * FROM deployments WHERE external_id = :e AND deleted_at IS NULL ORDER BY id LIMIT 2""")
        .bind("e", externalId).mapTo(Deployment.class).list());
  }

  Optional<Seen> seen(String deploymentId, String fingerprint) {
    return jdbi.withHandle(h -> h.createQuery("""
            SELECT status, starts_at, critical FROM alertmanager_alerts
            WHERE deployment_id = :d AND fingerprint = :f""")
        .bind("d", deploymentId).bind("f", fingerprint)
        .map((rs, ctx) -> new Seen(rs.getString("status"), rs.getString("starts_at"), rs.getBoolean("critical")))
        .findOne());
  }

  /** Remembers the alert's status (insert or update). */
  void save(String deploymentId, String fingerprint, Seen seen) {
    jdbi.useTransaction(h -> {
      int updated = h.createUpdate("""
              UPDATE alertmanager_alerts SET status = :s, starts_at = :st, critical = :c, updated_at = :at
              WHERE deployment_id = :d AND fingerprint = :f""")
          .bind("s", seen.status()).bind("st", seen.startsAt()).bind("c", seen.critical())
          .bind("at", Times.current(clock)).bind("d", deploymentId).bind("f", fingerprint).execute();
      if (updated == 0) {
        h.createUpdate("""
                INSERT INTO alertmanager_alerts (deployment_id, fingerprint, status, starts_at, critical, updated_at)
                VALUES (:d, :f, :s, :st, :c, :at)""")
            .bind("s", seen.status()).bind("st", seen.startsAt()).bind("c", seen.critical())
            .bind("at", Times.current(clock)).bind("d", deploymentId).bind("f", fingerprint).execute();
      }
    });
  }

  /**
   * Whether an alert of the deployment other than {@code fingerprint} is firing: empty when none,
   * else whether one of them is critical.
   */
  Optional<Boolean> firingExcept(String deploymentId, String fingerprint) {
    return jdbi.withHandle(h -> h.createQuery("""
            SELECT critical FROM alertmanager_alerts
            WHERE deployment_id = :d AND status = 'firing' AND fingerprint <> :f""")
        .bind("d", deploymentId).bind("f", fingerprint).mapTo(Boolean.class).list())
        .stream().reduce(Boolean::logicalOr);
  }
}
