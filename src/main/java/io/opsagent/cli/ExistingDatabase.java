package io.opsagent.cli;

import io.opsagent.config.Config;
import io.opsagent.db.Database;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The configuration of a command that reads or changes what a worker stored ({@code cycle},
 * {@code runs}, {@code tenants}, {@code audit}, {@code kill-switch}). Without {@code OPSAGENT_DB_URL}
 * these would otherwise create a fresh, empty embedded database under {@code ./data} and answer
 * "no tenant" about a database the operator never meant; instead they stop with
 * {@link NoDatabaseException} (exit 2). {@code worker}, {@code migrate} and {@code demo} still create it.
 */
final class ExistingDatabase {
  /** The files HSQLDB keeps for the default embedded database {@code ./data/opsagent}. */
  private static final Path SCRIPT = Path.of("data", "opsagent.script");
  private static final Path PROPERTIES = Path.of("data", "opsagent.properties");

  private ExistingDatabase() {}

  /** The environment's configuration, once it is clear that it points at a database that exists. */
  static Config config() {
    Config config = Config.fromEnv();
    if (config.database().url().equals(Config.DEFAULT_EMBEDDED_DB_URL)
        && !Files.exists(SCRIPT) && !Files.exists(PROPERTIES)) {
      throw new NoDatabaseException("OPSAGENT_DB_URL is not set and there is no embedded database under "
          + Path.of("data").toAbsolutePath() + "; set OPSAGENT_DB_URL to the worker's database (e.g."
          + " jdbc:postgresql://127.0.0.1:5432/opsagent), or run this where `./opsagent worker` or"
          + " `./opsagent migrate` created ./data");
    }
    return config;
  }

  /**
   * The database of {@code config}, opened without migrating it: a command that only reads (or
   * changes a row of) what a worker stored must not change the schema under that worker. A schema
   * behind this build's migrations stops the command with a {@link Failures.OneLine} telling the
   * operator to run {@code ./opsagent migrate}; so does a database that does not answer.
   */
  static Database open(Config config) {
    Database db = Failures.opening(config, () -> Database.openForCommand(config.database()));
    try {
      Database.SchemaState schema = Failures.opening(config, db::schemaState);
      if (schema.applied().isEmpty()) {
        throw new Failures.OneLine("the database at OPSAGENT_DB_URL=" + config.database().maskedUrl()
            + " has no opsagent schema: run `./opsagent migrate` (or start `./opsagent worker`) first,"
            + " or correct OPSAGENT_DB_URL");
      }
      if (!schema.current()) {
        throw new Failures.OneLine("the database at OPSAGENT_DB_URL=" + config.database().maskedUrl()
            + " is at schema version " + schema.applied().get() + ", this opsagent needs "
            + schema.latest() + " (" + schema.pending() + " migration(s) pending): run"
            + " `./opsagent migrate` first");
      }
      return db;
    } catch (RuntimeException e) {
      db.close();
      throw e;
    }
  }

  /** No database to answer from: the message says which setting is missing. */
  static final class NoDatabaseException extends RuntimeException {
    NoDatabaseException(String message) {
      super(message);
    }
  }
}
