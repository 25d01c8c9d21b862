package io.opsagent.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.opsagent.agent.guard.CooldownStore;
import io.opsagent.agent.run.OpsRun;
import io.opsagent.agent.run.RunStatus;
import io.opsagent.config.Config;
import io.opsagent.db.Database;
import io.opsagent.db.Ids;
import io.opsagent.notify.Severity;
import io.opsagent.notify.TestReceiver;
import io.opsagent.platform.DeploymentStatus;
import io.opsagent.queue.schedule.Trigger;
import io.opsagent.support.Fixtures;
import io.opsagent.support.TestAgents;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The demo runs on the embedded HSQLDB: the whole cycle must work there too. */
class EmbeddedDatabaseCycleTest {
  static Database db;

  @BeforeAll
  static void openEmbedded() {
    db = Database.open("jdbc:hsqldb:mem:cycle" + Ids.newId().substring(0, 8)
        + ";sql.syntax_pgs=true;hsqldb.tx=mvcc", "", "", 4);
    db.migrate();
  }

  @AfterAll
  static void closeEmbedded() {
    db.close();
  }

  @Test
  void aRulesCycleOnTheEmbeddedDatabaseAlertsTheFailedDeploymentAndRecordsTheRun() throws Exception {
    Fixtures fx = new Fixtures(db);
    var t = fx.tenant("embedded").workspace("web").deployment("ok", DeploymentStatus.RUNNING)
        .withFailedDeployment();
    try (RealNotifier notify = new RealNotifier(db); TestReceiver receiver = TestReceiver.answering()) {
      notify.webhook(t.id(), t.lastWorkspace().id(), "hook", receiver.url("/hook"), null);
      Config config = Config.fromEnv(Map.of());
      OpsAgent loop = TestAgents.builder(config, db.jdbi()).notifier(notify.notifier)
          .cooldowns(CooldownStore.inMemory(config.cooldowns(), Clock.systemUTC())).build();

      OpsRun first = loop.runOpsCycle(t.id(), Trigger.MANUAL);
      OpsRun second = loop.runOpsCycle(t.id(), Trigger.MANUAL);

      assertThat(first.status()).isEqualTo(RunStatus.COMPLETED);
      assertThat(second.status()).isEqualTo(RunStatus.COMPLETED);
      // the failure's open incident holds the second cycle's alert about it: recorded, not sent
      assertThat(notify.settled(t.id())).singleElement()
          .satisfies(d -> assertThat(d.severity()).isEqualTo(Severity.CRITICAL));
      assertThat(receiver.requests()).hasSize(1);
      assertThat(second.actionsJson()).contains("recorded on open incident").contains("not sent again");
    }
  }
}
