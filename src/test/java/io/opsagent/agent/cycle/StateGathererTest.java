package io.opsagent.agent.cycle;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.opsagent.notify.ChannelType;
import io.opsagent.notify.NotificationChannelRepository;
import io.opsagent.platform.DeploymentStatus;
import io.opsagent.support.Fixtures;
import io.opsagent.support.TestDatabase;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicInteger;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.SqlLogger;
import org.jdbi.v3.core.statement.StatementContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class StateGathererTest {
  static TestDatabase db;
  static Fixtures fx;
  static NotificationChannelRepository channels;

  @BeforeAll
  static void setUpDatabase() {
    db = TestDatabase.create(StateGathererTest.class);
    fx = new Fixtures(db.database());
    channels = new NotificationChannelRepository(db.database().jdbi(), true, Clock.systemUTC());
  }

  @AfterAll
  static void dropDatabase() {
    db.close();
  }

  @Test
  void gatheringTakesTheSameNumberOfQueriesForOneAndForTwoHundredDeployments() {
    var small = fx.tenant("small").workspace("w").deployment("only", DeploymentStatus.RUNNING);
    var large = fx.tenant("large");
    for (int w = 0; w < 20; w++) {
      large.workspace("w" + w);
      for (int d = 0; d < 10; d++) {
        var dep = large.deploy("app-" + d, d == 0 ? DeploymentStatus.FAILED
            : d == 1 ? DeploymentStatus.DEGRADED : DeploymentStatus.RUNNING, "1");
        fx.deployments.recordEvent(dep, "deployed", null, "ok");
      }
      channels.create(large.id(), large.lastWorkspace().id(), ChannelType.SLACK, "ch" + w,
          JsonNodeFactory.instance.objectNode().put("url", "http://127.0.0.1:9/slack/" + w));
    }
    AtomicInteger statements = new AtomicInteger();
    Jdbi counting = Jdbi.create(db.database().dataSource());
    counting.setSqlLogger(new SqlLogger() {
      @Override
      public void logAfterExecution(StatementContext context) {
        statements.incrementAndGet();
      }
    });
    StateGatherer gatherer = gatherer(counting);

    TenantState one = gatherer.gather(small.id());
    int forOne = statements.getAndSet(0);
    TenantState many = gatherer.gather(large.id());
    int forMany = statements.get();

    assertThat(one.deployments()).hasSize(1);
    assertThat(many.deployments()).hasSize(200);
    assertThat(many.workspaces()).hasSize(20);
    assertThat(many.channels()).hasSize(20);
    assertThat(many.events()).hasSize(StateGatherer.MAX_EVENTS);
    assertThat(many.moreEvents()).isTrue();
    assertThat(forMany).isEqualTo(forOne).isEqualTo(6);
  }

  @Test
  void channelsAreReadWithoutTheirConfiguration() {
    var t = fx.tenant("channels").workspace("w");
    channels.create(t.id(), t.lastWorkspace().id(), ChannelType.WEBHOOK, "hook",
        JsonNodeFactory.instance.objectNode()
            .put("url", "http://127.0.0.1:9/secret-path").put("secret", "s3cr3t"));

    TenantState s = gatherer(db.database().jdbi()).gather(t.id());

    assertThat(s.channels()).singleElement()
        .isEqualTo(new TenantState.Channel(
            s.channels().get(0).id(), t.lastWorkspace().id(), "webhook", "hook", true));
    assertThat(ContextBuilder.stateJson(s, "run")).doesNotContain("secret-path", "s3cr3t", "127.0.0.1");
  }

  private static StateGatherer gatherer(org.jdbi.v3.core.Jdbi jdbi) {
    return new StateGatherer(jdbi, new io.opsagent.agent.run.RunRepository(jdbi, Clock.systemUTC()),
        new io.opsagent.platform.WorkspaceRepository(jdbi, Clock.systemUTC()), new io.opsagent.platform.DeploymentRepository(jdbi, Clock.systemUTC()),
        java.time.Clock.systemUTC());
  }
}
