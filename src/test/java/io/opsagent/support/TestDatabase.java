package io.opsagent.support;

import io.opsagent.db.Database;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.UUID;

/**
 * A fresh, migrated PostgreSQL database of its own for one test class, dropped on {@link #close()}.
 *
 * <p>Connection settings come from {@code OPSAGENT_TEST_PG_HOST} (127.0.0.1),
 * {@code OPSAGENT_TEST_PG_PORT} (5432), {@code OPSAGENT_TEST_PG_USER} (postgres) and
 * {@code OPSAGENT_TEST_PG_PASSWORD} (empty), which {@code scripts/test} sets up. A database per class
 * keeps classes independent of each other and of anything else on the server.
 */
public final class TestDatabase implements AutoCloseable {
  public static final String HOST = env("OPSAGENT_TEST_PG_HOST", "127.0.0.1");
  public static final String PORT = env("OPSAGENT_TEST_PG_PORT", "5432");
  public static final String USER = env("OPSAGENT_TEST_PG_USER", "postgres");
  public static final String PASSWORD = env("OPSAGENT_TEST_PG_PASSWORD", "");

  private final String name;
  private final String url;
  private final Database database;

  private TestDatabase(String name) {
    this.name = name;
    this.url = "jdbc:postgresql://" + HOST + ":" + PORT + "/" + name;
    this.database = Database.open(url, USER, PASSWORD, 20);
  }

  /** Creates and migrates a new database named after the test class. */
  public static TestDatabase create(Class<?> testClass) {
    String name = ("opsagent_t_" + testClass.getSimpleName() + "_"
        + UUID.randomUUID().toString().substring(0, 8)).toLowerCase(Locale.ROOT);
    admin("CREATE DATABASE " + name);
    TestDatabase db = new TestDatabase(name);
    db.database.migrate();
    return db;
  }

  public Database database() {
    return database;
  }

  public String url() {
    return url;
  }

  @Override
  public void close() {
    database.close();
    admin("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
  }

  private static void admin(String sql) {
    String adminUrl = "jdbc:postgresql://" + HOST + ":" + PORT + "/postgres";
    try (Connection c = DriverManager.getConnection(adminUrl, USER, PASSWORD);
        Statement s = c.createStatement()) {
      s.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException("PostgreSQL at " + HOST + ":" + PORT + " refused: " + sql
          + " (run the tests with scripts/test, which starts PostgreSQL)", e);
    }
  }

  private static String env(String name, String def) {
    String v = System.getenv(name);
    return v == null || v.isBlank() ? def : v;
  }
}
