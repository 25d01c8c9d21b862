package io.opsagent.ui;

import static org.assertj.core.api.Assertions.assertThat;

import io.opsagent.Json;
import io.opsagent.agent.run.RunRepository;
import io.opsagent.queue.schedule.Trigger;
import io.opsagent.db.Database;
import io.opsagent.platform.DeploymentStatus;
import io.opsagent.support.Fixtures;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard's own queries (open incidents across tenants with their page state, a channel's
 * latest deliveries through a lateral join, runs of a time range) run on the embedded database too,
 * as they do on PostgreSQL in the dashboard's HTTP and browser tests.
 */
class EmbeddedDashboardQueriesTest {

  @Test
  void openIncidentsChannelsWithDeliveriesAndRunsOfARangeAreReadOnTheEmbeddedDatabase(@TempDir Path dir) {
    String url = "jdbc:hsqldb:file:" + dir.resolve("data/opsagent")
        + ";sql.syntax_pgs=true;hsqldb.tx=mvcc;shutdown=true";
    try (Database db = Database.open(url, "", "", 4)) {
      db.migrate();
      var t = new Fixtures(db).tenant("embedded").workspace("prod").deployment("api", DeploymentStatus.FAILED);
      String ws = t.lastWorkspace().id();
      String dep = db.jdbi().withHandle(h -> h.createQuery("SELECT id FROM deployments WHERE tenant_id = :t")
          .bind("t", t.id()).mapTo(String.class).one());
      Instant now = Instant.now();
      db.jdbi().useHandle(h -> {
        h.createUpdate("""
                INSERT INTO incidents (id, tenant_id, deployment_id, workspace_id, incident_key, open_key, problem,
                    severity, title, body, status, alerts, opened_at, last_alert_at, last_notified_at)
                VALUES ('i1', :t, :d, :w, :key, :key, 'failed', 'critical', 'api is FAILED', 'down', 'open', 1,
                    :now, :now, :now)""")
            .bind("t", t.id()).bind("d", dep).bind("w", ws).bind("key", t.id() + ":" + dep + ":failed")
            .bind("now", now).execute();
        h.createUpdate("""
                INSERT INTO notification_channels (id, tenant_id, workspace_id, type, name, config_json, enabled,
                    created_at, failing_since, last_error)
                VALUES ('c1', :t, :w, 'webhook', 'pager', '{}', TRUE, :now, :since, 'HTTP 503')""")
            .bind("t", t.id()).bind("w", ws).bind("now", now).bind("since", now.minusSeconds(300)).execute();
        for (int i = 0; i < 12; i++) {
          h.createUpdate("""
                  INSERT INTO notifications (id, tenant_id, channel_id, workspace_id, severity, title, body, status,
                      attempts, last_error, created_at, updated_at, incident_key, alert_status)
                  VALUES (:id, :t, 'c1', :w, 'critical', 'api is FAILED', 'down', 'pending', 2, 'HTTP 503', :at, :at,
                      :key, 'firing')""")
              .bind("id", "n" + i).bind("t", t.id()).bind("w", ws).bind("at", now.minusSeconds(60 - i))
              .bind("key", t.id() + ":" + dep + ":failed").execute();
        }
      });
      RunRepository runs = new RunRepository(db.jdbi(), Clock.systemUTC());
      String old = runs.start(t.id(), Trigger.SCHEDULE).id();
      String recent = runs.start(t.id(), Trigger.MANUAL).id();
      db.jdbi().useHandle(h -> h.createUpdate("UPDATE ops_agent_runs SET started_at = :at WHERE id = :id")
          .bind("at", now.minus(Duration.ofDays(3))).bind("id", old).execute());
      DashboardQueries queries = new DashboardQueries(db.jdbi(), null, runs, null, null, Json.MAPPER,
          Clock.systemUTC());

      var open = queries.openIncidents(Optional.empty());
      assertThat(open).hasSize(1);
      assertThat(open.get(0).tenantName()).isEqualTo("embedded");
      assertThat(open.get(0).deploymentName()).isEqualTo("api");
      assertThat(open.get(0).pageState()).as("a firing delivery is still pending").isEqualTo("paging");
      assertThat(queries.openIncidents(Optional.of("another-tenant"))).isEmpty();

      var channels = queries.channels(t.id());
      assertThat(channels).hasSize(1);
      assertThat(channels.get(0).failing()).isTrue();
      assertThat(channels.get(0).workspaceName()).isEqualTo("prod");
      assertThat(channels.get(0).deliveries()).hasSize(DashboardQueries.DELIVERIES)
          .first().extracting(Views.DeliveryItem::id).isEqualTo("n11");

      assertThat(queries.timeline(t.id(), 1)).extracting(Views.RunItem::id).containsExactly(recent);
      assertThat(queries.timeline(t.id(), 7)).extracting(Views.RunItem::id).containsExactly(recent, old);
    }
  }
}
