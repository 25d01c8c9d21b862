package io.opsagent.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.opsagent.db.Database;
import io.opsagent.queue.JobType;
import io.opsagent.support.TestDatabase;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The queue lag gauge: the age of the oldest due job nobody has picked yet, on both databases. */
class QueueLagTest {

  @Test
  void lagIsTheAgeOfTheOldestDueUnpickedJobOnPostgres() {
    try (TestDatabase db = TestDatabase.create(QueueLagTest.class)) {
      assertLagSemantics(db.database().jdbi());
    }
  }

  @Test
  void lagIsMeasuredTheSameOnTheEmbeddedDatabase(@TempDir Path dir) {
    String url = "jdbc:hsqldb:file:" + dir.resolve("data/opsagent")
        + ";sql.syntax_pgs=true;hsqldb.tx=mvcc;shutdown=true";
    try (Database db = Database.open(url, "", "", 4)) {
      db.migrate();
      assertLagSemantics(db.jdbi());
    }
  }

  private static void assertLagSemantics(Jdbi jdbi) {
    JobType.Queue ops = JobType.Queue.OPS_AGENT;
    assertThat(QueueLag.lagSeconds(jdbi, ops, Clock.systemUTC())).isZero();

    insert(jdbi, "picked-long-ago", Instant.now().minus(Duration.ofHours(2)), true);
    insert(jdbi, "due-in-future", Instant.now().plus(Duration.ofMinutes(5)), false);
    assertThat(QueueLag.lagSeconds(jdbi, ops, Clock.systemUTC())).as("picked and future jobs are not waiting").isZero();

    insert(jdbi, "waiting", Instant.now().minus(Duration.ofMinutes(10)), false);
    assertThat(QueueLag.lagSeconds(jdbi, ops, Clock.systemUTC())).isBetween(600.0, 3600.0);
    assertThat(QueueLag.lagSeconds(jdbi, JobType.Queue.DEPLOYMENT, Clock.systemUTC())).isZero();
  }

  private static void insert(Jdbi jdbi, String instance, Instant executionTime, boolean picked) {
    jdbi.useHandle(h -> h.createUpdate("""
            INSERT INTO ops_agent_tasks (task_name, task_instance, execution_time, picked, version)
            VALUES ('ops-cycle', :instance, :at, :picked, 1)""")
        .bind("instance", instance).bind("at", executionTime).bind("picked", picked).execute());
  }
}
