package io.opsagent.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.opsagent.agent.run.RunOutcome;
import io.opsagent.agent.run.RunRepository;
import io.opsagent.agent.run.RunStatus;
import io.opsagent.agent.run.TokenUsage;
import io.opsagent.platform.DeploymentStatus;
import io.opsagent.queue.schedule.Trigger;
import io.opsagent.support.Fixtures;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded default (HSQLDB file database) migrates and serves the same repositories. */
class EmbeddedDatabaseSmokeTest {

  @Test
  void theEmbeddedFileDatabaseMigratesOnceAndServesTheRepositories(@TempDir Path dir) {
    String url = "jdbc:hsqldb:file:" + dir.resolve("data/opsagent")
        + ";sql.syntax_pgs=true;hsqldb.tx=mvcc;shutdown=true";
    try (Database db = Database.open(url, "", "", 4)) {
      assertThat(db.embedded()).isTrue();
      assertThat(db.migrate()).isGreaterThanOrEqualTo(2);
      assertThat(db.migrate()).isZero();

      Fixtures fx = new Fixtures(db);
      var t = fx.tenant("embedded").workspace("w").deployment("api", DeploymentStatus.FAILED);
      var d = fx.deployments.listByTenant(t.id(), EnumSet.of(DeploymentStatus.FAILED)).get(0);
      fx.deployments.recordEvent(d, "crash", DeploymentStatus.FAILED, "exit 137");
      assertThat(fx.deployments.eventsSince(t.id(), Instant.EPOCH, 5)).hasSize(1);
      assertThat(fx.tenants.idsWithWatchedDeployments("", 10)).containsExactly(t.id());

      RunRepository runs = new RunRepository(db.jdbi(), Clock.systemUTC());
      var run = runs.start(t.id(), Trigger.MANUAL);
      runs.finish(run.id(), new RunOutcome(RunStatus.COMPLETED, "all clear", "[]", new TokenUsage(10, 5, 0, 0), 1, "rules", null, null, null));
      assertThat(runs.recent(t.id(), 5)).singleElement()
          .satisfies(r -> {
            assertThat(r.status()).isEqualTo(RunStatus.COMPLETED);
            assertThat(r.trigger()).isEqualTo(Trigger.MANUAL);
          });
    }
  }
}
