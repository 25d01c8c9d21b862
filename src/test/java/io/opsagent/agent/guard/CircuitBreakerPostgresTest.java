package io.opsagent.agent.guard;

import io.opsagent.db.Database;
import io.opsagent.support.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

class CircuitBreakerPostgresTest extends CircuitBreakerContract {
  static TestDatabase db;

  @BeforeAll
  static void createDatabase() {
    db = TestDatabase.create(CircuitBreakerPostgresTest.class);
  }

  @AfterAll
  static void dropDatabase() {
    db.close();
  }

  @Override
  Database database() {
    return db.database();
  }
}
