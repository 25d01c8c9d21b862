package io.opsagent.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.opsagent.agent.run.RunOutcome;
import io.opsagent.agent.run.RunRepository;
import io.opsagent.agent.run.RunStatus;
import io.opsagent.agent.run.TokenUsage;
import io.opsagent.db.Database;
import io.opsagent.platform.DeploymentStatus;
import io.opsagent.queue.schedule.Trigger;
import io.opsagent.support.Fixtures;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The read routes' queries (lateral joins, filters, soft-deleted channels) run on the embedded default too. */
class EmbeddedDatabaseApiTest {

  @Test
  void tenantsRunsAndChannelsAreReadOnTheEmbeddedDatabase(@TempDir Path dir) {
    String url = "jdbc:hsqldb:file:" + dir.resolve("data/opsagent")
        + ";sql.syntax_pgs=true;hsqldb.tx=mvcc;shutdown=true";
    try (Database db = Database.open(url, "", "", 4)) {
      db.migrate();
      var t = new Fixtures(db).tenant("embedded").workspace("w").deployment("api", DeploymentStatus.FAILED);
      RunRepository runs = new RunRepository(db.jdbi(), Clock.systemUTC());
      for (int i = 0; i < 3; i++) {
        var run = runs.start(t.id(), Trigger.SCHEDULE);
        runs.finish(run.id(), new RunOutcome(RunStatus.FAILED, null, "[]", TokenUsage.NONE, 0, "rules", null, null, "boom"));
      }
      try (TestApi app = TestApi.start(db)) {
        var tenant = app.api.get("/api/tenants").json().get(0);
        var failedRuns = app.api.get("/api/tenants/" + t.id() + "/ops/runs?status=failed&limit=2");
        String channel = app.api.create("/api/tenants/" + t.id() + "/notification-channels",
            "{\"type\":\"email\",\"name\":\"ops\",\"config\":{\"to\":\"ops@example.com\"}}");

        assertThat(tenant.get("paused").asBoolean()).isTrue();
        assertThat(tenant.get("failed").asInt()).isEqualTo(1);
        assertThat(tenant.get("lastRun").get("status").asText()).isEqualTo("failed");
        assertThat(failedRuns.json()).hasSize(2);
        assertThat(app.api.get("/api/tenants/" + t.id() + "/ops/runs?before="
            + failedRuns.json().get(1).get("id").asText()).json()).hasSize(1);
        assertThat(app.api.delete("/api/tenants/" + t.id() + "/notification-channels/" + channel).status())
            .isEqualTo(204);
        assertThat(app.api.get("/api/tenants/" + t.id() + "/notification-channels").json()).isEmpty();
        assertThat(app.api.get("/health").status()).isEqualTo(200);
      }
    }
  }
}
