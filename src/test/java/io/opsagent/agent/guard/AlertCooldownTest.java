package io.opsagent.agent.guard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.opsagent.db.Database;
import io.opsagent.notify.delivery.AlertWindows;
import io.opsagent.support.Fixtures;
import io.opsagent.support.TestDatabase;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The alert window in the database: the same claims on PostgreSQL ({@code INSERT … ON CONFLICT}) and
 * on the embedded HSQLDB ({@code MERGE}). The alert's deliveries giving it back are covered with the
 * real notifier in {@code io.opsagent.agent.AlertWindowEndToEndTest}.
 */
class AlertCooldownTest {
  static final Duration HOUR = Duration.ofHours(1);
  static TestDatabase pg;
  static Database hsqldb;
  static Fixtures pgFixtures;
  static Fixtures hsqldbFixtures;

  @BeforeAll
  static void open() {
    pg = TestDatabase.create(AlertCooldownTest.class);
    pgFixtures = new Fixtures(pg.database());
    hsqldb = Database.open("jdbc:hsqldb:mem:alerts" + UUID.randomUUID().toString().replace("-", "")
        + ";sql.syntax_pgs=true;hsqldb.tx=mvcc", "", "", 4);
    hsqldb.migrate();
    hsqldbFixtures = new Fixtures(hsqldb);
  }

  @AfterAll
  static void close() {
    hsqldb.close();
    pg.close();
  }

  /** A cooldown for a fresh tenant with one workspace, on each database. */
  record Case(String name, AlertCooldown alerts, AlertCooldown otherProcess, String tenant, String workspace) {}

  static List<Case> cases(Duration window) {
    List<Case> out = new ArrayList<>();
    for (var db : List.of(pg.database(), hsqldb)) {
      var fx = db == hsqldb ? hsqldbFixtures : pgFixtures;
      var t = fx.tenant("alerts").workspace("w");
      out.add(new Case(db == hsqldb ? "hsqldb" : "postgresql",
          new AlertCooldown(new AlertWindows(db.jdbi(), Clock.systemUTC()), window),
          new AlertCooldown(new AlertWindows(db.jdbi(), Clock.systemUTC()), window), t.id(), t.lastWorkspace().id()));
    }
    return out;
  }

  @Test
  void theSameAlertTwiceWithinTheWindowIsAdmittedOnceEvenFromAnotherProcess() {
    for (Case c : cases(HOUR)) {
      assertThat(c.alerts().tryAcquire(c.tenant(), c.workspace(), "Deployment api FAILED")).as(c.name()).isTrue();

      assertThat(c.alerts().tryAcquire(c.tenant(), c.workspace(), "Deployment api FAILED")).as(c.name()).isFalse();
      assertThat(c.otherProcess().tryAcquire(c.tenant(), c.workspace(), "Deployment api FAILED")).as(c.name()).isFalse();
    }
  }

  @Test
  void anAlertThatReachedNobodyGivesItsWindowBackSoTheNextOneGoesOut() {
    for (Case c : cases(HOUR)) {
      assertThat(c.alerts().tryAcquire(c.tenant(), c.workspace(), "Deployment db FAILED")).isTrue();

      c.alerts().release(c.tenant(), c.workspace(), "Deployment db FAILED");

      assertThat(c.otherProcess().tryAcquire(c.tenant(), c.workspace(), "Deployment db FAILED")).as(c.name()).isTrue();
      assertThat(c.alerts().tryAcquire(c.tenant(), c.workspace(), "Deployment db FAILED")).as(c.name()).isFalse();
    }
  }

  @Test
  void titlesDifferingOnlyInCaseOrSpacingAreTheSameAlert() {
    for (Case c : cases(HOUR)) {
      c.alerts().tryAcquire(c.tenant(), c.workspace(), "Deployment api FAILED");

      assertThat(c.alerts().tryAcquire(c.tenant(), c.workspace(), "  deployment   API failed ")).as(c.name()).isFalse();
    }
  }

  @Test
  void anotherWorkspaceTenantOrTitleIsAnotherAlert() {
    for (Case c : cases(HOUR)) {
      var fx = c.name().equals("hsqldb") ? hsqldbFixtures : pgFixtures;
      var other = fx.tenant("other").workspace("w2");
      c.alerts().tryAcquire(c.tenant(), c.workspace(), "Deployment api FAILED");

      assertThat(c.alerts().tryAcquire(c.tenant(), other.lastWorkspace().id(), "Deployment api FAILED")).isTrue();
      assertThat(c.alerts().tryAcquire(c.tenant(), null, "Deployment api FAILED")).isTrue();
      assertThat(c.alerts().tryAcquire(other.id(), c.workspace(), "Deployment api FAILED")).isTrue();
      assertThat(c.alerts().tryAcquire(c.tenant(), c.workspace(), "Deployment web FAILED")).isTrue();
    }
  }

  @Test
  void afterTheWindowTheAlertIsAdmittedAgain() {
    for (Case c : cases(Duration.ofMillis(300))) {
      assertThat(c.alerts().tryAcquire(c.tenant(), c.workspace(), "Backup overdue")).isTrue();
      assertThat(c.alerts().tryAcquire(c.tenant(), c.workspace(), "Backup overdue")).isFalse();

      await().atMost(Duration.ofSeconds(10))
          .until(() -> c.otherProcess().tryAcquire(c.tenant(), c.workspace(), "Backup overdue"));
    }
  }

  @Test
  void manyProcessesRacingForTheSameWindowAdmitExactlyOne() throws Exception {
    var t = pgFixtures.tenant("race").workspace("w");
    int racers = 8;
    ExecutorService threads = Executors.newFixedThreadPool(racers);
    try {
      for (int round = 0; round < 5; round++) {
        String title = "Deployment api FAILED " + round;
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Boolean>> claims = new ArrayList<>();
        for (int i = 0; i < racers; i++) {
          AlertCooldown process = new AlertCooldown(new AlertWindows(pg.database().jdbi(), Clock.systemUTC()), HOUR);
          Callable<Boolean> claim = () -> {
            go.await();
            return process.tryAcquire(t.id(), t.lastWorkspace().id(), title);
          };
          claims.add(threads.submit(claim));
        }
        go.countDown();
        int admitted = 0;
        for (Future<Boolean> f : claims) {
          admitted += f.get(30, TimeUnit.SECONDS) ? 1 : 0;
        }
        assertThat(admitted).as("round " + round).isEqualTo(1);
      }
    } finally {
      threads.shutdownNow();
    }
  }
}
