package io.opsagent.api.alertmanager;

import static org.assertj.core.api.Assertions.assertThat;

import io.opsagent.db.Database;
import io.opsagent.platform.Deployment;
import io.opsagent.platform.DeploymentStatus;
import io.opsagent.support.Fixtures;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The webhook's storage (V200's table, the lookups by id and externalId) runs on the embedded default too. */
class AlertmanagerAlertsEmbeddedTest {

  @Test
  void alertsAreRememberedPerFingerprintAndDeploymentsFoundByExternalIdOnTheEmbeddedDatabase(@TempDir Path dir) {
    String url = "jdbc:hsqldb:file:" + dir.resolve("data/opsagent")
        + ";sql.syntax_pgs=true;hsqldb.tx=mvcc;shutdown=true";
    try (Database db = Database.open(url, "", "", 4)) {
      db.migrate();
      Deployment d = new Fixtures(db).tenant("embedded").workspace("w").deploy("api", DeploymentStatus.RUNNING, "1");
      db.jdbi().useHandle(h -> h.execute("UPDATE deployments SET external_id = 'ns/api' WHERE id = ?", d.id()));
      var alerts = new AlertmanagerAlerts(db.jdbi(), Clock.systemUTC());

      alerts.save(d.id(), "fp-1", new AlertmanagerAlerts.Seen("firing", "2026-12-06T21:00:00Z", true));
      alerts.save(d.id(), "fp-2", new AlertmanagerAlerts.Seen("firing", "2026-12-06T21:01:00Z", false));
      alerts.save(d.id(), "fp-1", new AlertmanagerAlerts.Seen("resolved", "2026-12-06T21:00:00Z", true));

      assertThat(alerts.byExternalId("ns/api")).extracting(Deployment::id).containsExactly(d.id());
      assertThat(alerts.deployment(d.id())).isPresent();
      assertThat(alerts.seen(d.id(), "fp-1")).contains(new AlertmanagerAlerts.Seen("resolved", "2026-12-06T21:00:00Z", true));
      assertThat(alerts.firingExcept(d.id(), "fp-1")).contains(false);
      assertThat(alerts.firingExcept(d.id(), "fp-2")).isEmpty();
    }
  }
}
