package io.opsagent.cli;

import io.opsagent.api.auth.ApiKeys;
import io.opsagent.api.auth.Caller;
import io.opsagent.api.auth.Role;
import io.opsagent.api.auth.WhoDidIt;
import io.opsagent.db.Database;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code keys create|list|revoke}: the scoped API keys, from the machine that holds the database's
 * credentials. A key is printed once, when it is created; changes are recorded as made by this
 * command, like the API records the key that made them.
 */
@Command(name = "keys", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
    description = "Scoped API keys: create (prints the key once), list, revoke.",
    subcommands = {KeysCommand.Create.class, KeysCommand.ListKeys.class, KeysCommand.Revoke.class})
final class KeysCommand implements Callable<Integer> {
  /** Who made a change from the command line. */
  static final Caller CLI = new Caller("cli", "opsagent keys", Role.ADMIN, null);

  @Override
  public Integer call() {
    System.err.println("opsagent: keys takes create, list or revoke (see opsagent keys --help)");
    return 2;
  }

  @Command(name = "create", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
      description = "Creates a key and prints it once (with its id); it cannot be shown again.")
  static final class Create implements Callable<Integer> {
    @Option(names = "--name", required = true, description = "who or what holds the key")
    String name;

    @Option(names = "--role", required = true, description = "admin, platform, tenant or viewer")
    String role;

    @Option(names = "--tenant", description = "the one tenant a tenant key (required) or a viewer key sees")
    String tenant;

    @Override
    public Integer call() {
      Role r;
      try {
        r = Role.parse(role);
      } catch (IllegalArgumentException e) {
        System.err.println("opsagent: --role must be one of admin, platform, tenant, viewer, got '" + role + "'");
        return 2;
      }
      try (Database db = ExistingDatabase.open(ExistingDatabase.config())) {
        ApiKeys.Created created = new ApiKeys(db.jdbi(), java.time.Clock.systemUTC()).create(name, r, tenant);
        new WhoDidIt(db.jdbi(), java.time.Clock.systemUTC()).record(CLI, "key.create", tenant, created.key().id(), r.wire() + " " + name);
        System.out.println("id:   " + created.key().id());
        System.out.println("key:  " + created.secret());
        System.err.println("Keep the key now: it is stored hashed and cannot be shown again.");
        return 0;
      } catch (IllegalArgumentException e) {
        System.err.println("opsagent: " + e.getMessage().replace("'tenantId'", "--tenant"));
        return 2;
      }
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
      description = "Every key: id, role, tenant, name, created, revoked (never the key itself).")
  static final class ListKeys implements Callable<Integer> {
    @Override
    public Integer call() {
      try (Database db = ExistingDatabase.open(ExistingDatabase.config())) {
        for (ApiKeys.ApiKey k : new ApiKeys(db.jdbi(), java.time.Clock.systemUTC()).list()) {
          System.out.println(k.id() + "  " + k.role().wire() + "  " + (k.tenantId() == null ? "-" : k.tenantId())
              + "  " + k.name().replaceAll("\\s+", " ") + "  created " + k.createdAt()
              + (k.revokedAt() == null ? "" : "  revoked " + k.revokedAt()));
        }
        return 0;
      }
    }
  }

  @Command(name = "revoke", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
      description = "Revokes a key: its requests and dashboard sessions are refused at once, on every worker.")
  static final class Revoke implements Callable<Integer> {
    @Parameters(index = "0", description = "the key's id (from keys list)")
    String id;

    @Override
    public Integer call() {
      try (Database db = ExistingDatabase.open(ExistingDatabase.config())) {
        ApiKeys keys = new ApiKeys(db.jdbi(), java.time.Clock.systemUTC());
        var key = keys.find(id);
        if (key.isEmpty()) {
          System.err.println("opsagent: no key " + id);
          return 1;
        }
        if (keys.revoke(id)) {
          new WhoDidIt(db.jdbi(), java.time.Clock.systemUTC()).record(CLI, "key.revoke", key.get().tenantId(), id,
              key.get().role().wire() + " " + key.get().name());
          System.out.println("revoked " + id);
        } else {
          System.out.println("already revoked " + id);
        }
        return 0;
      }
    }
  }
}
