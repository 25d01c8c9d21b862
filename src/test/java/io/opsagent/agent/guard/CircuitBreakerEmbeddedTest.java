package io.opsagent.agent.guard;

import io.opsagent.db.Database;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The same behaviour on the embedded HSQLDB that runs opsagent without a database server. */
class CircuitBreakerEmbeddedTest extends CircuitBreakerContract {
  static Database db;

  @BeforeAll
  static void createDatabase() {
    db = Database.open("jdbc:hsqldb:mem:cb_" + UUID.randomUUID().toString().replace("-", "")
        + ";sql.syntax_pgs=true;hsqldb.tx=mvcc", "", "", 8);
    db.migrate();
  }

  @AfterAll
  static void dropDatabase() {
    db.jdbi().useHandle(h -> h.execute("SHUTDOWN"));
    db.close();
  }

  @Override
  Database database() {
    return db;
  }
}
