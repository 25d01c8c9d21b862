package io.opsagent.cli;

import io.opsagent.config.Config;
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
    if (config.dbUrl().equals(Config.DEFAULT_EMBEDDED_DB_URL)
        && !Files.exists(SCRIPT) && !Files.exists(PROPERTIES)) {
      throw new NoDatabaseException("OPSAGENT_DB_URL is not set and there is no embedded database under "
          + Path.of("data").toAbsolutePath() + "; set OPSAGENT_DB_URL to the worker's database (e.g."
          + " jdbc:postgresql://127.0.0.1:5432/opsagent), or run this where `./opsagent worker` or"
          + " `./opsagent migrate` created ./data");
    }
    return config;
  }

  /** No database to answer from: the message says which setting is missing. */
  static final class NoDatabaseException extends RuntimeException {
    NoDatabaseException(String message) {
      super(message);
    }
  }
}
