package io.opsagent.cli;

import io.opsagent.config.Config;
import io.opsagent.db.Database;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "migrate", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
    description = "Applies the database migrations and exits.")
final class MigrateCommand implements Callable<Integer> {

  @Override
  public Integer call() {
    Config config = Config.fromEnv();
    try (Database db = Failures.opening(config, () -> Database.open(config.database(), config.scheduling()))) {
      int applied = Failures.opening(config, db::migrate);
      System.out.println("migrations applied: " + applied + " (" + (db.embedded() ? "embedded database" : config.database().maskedUrl()) + ")");
    }
    return 0;
  }
}
