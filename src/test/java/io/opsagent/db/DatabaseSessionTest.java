package io.opsagent.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.opsagent.support.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Our PostgreSQL sessions ask the server for short TCP keepalives, so the advisory cycle lock of a
 * worker whose host vanished (no FIN ever arrives) is released within about 35 s instead of the
 * server's default of two hours and more.
 */
class DatabaseSessionTest {
  static TestDatabase db;

  @BeforeAll
  static void setUp() {
    db = TestDatabase.create(DatabaseSessionTest.class);
  }

  @AfterAll
  static void tearDown() {
    db.close();
  }

  @Test
  void theServerProbesOurSessionsAfter20SecondsOfSilenceAndDropsThemAfter3MissedProbes() {
    var jdbi = db.database().jdbi();

    assertThat(show(jdbi, "tcp_keepalives_idle")).isEqualTo("20");
    assertThat(show(jdbi, "tcp_keepalives_interval")).isEqualTo("5");
    assertThat(show(jdbi, "tcp_keepalives_count")).isEqualTo("3");
  }

  @Test
  void optionsGivenInTheUrlWin() {
    try (Database custom = Database.open(db.url() + "?options=-c%20tcp_keepalives_idle=45",
        TestDatabase.USER, TestDatabase.PASSWORD, 1)) {
      assertThat(show(custom.jdbi(), "tcp_keepalives_idle")).isEqualTo("45");
    }
  }

  private static String show(org.jdbi.v3.core.Jdbi jdbi, String setting) {
    return jdbi.withHandle(h -> h.createQuery("SHOW " + setting).mapTo(String.class).one());
  }
}
