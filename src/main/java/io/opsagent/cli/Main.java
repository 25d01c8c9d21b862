package io.opsagent.cli;

import io.opsagent.config.Config;
import io.opsagent.config.ConfigException;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine;

/** The {@code opsagent} command line: one subcommand per mode of the same program. */
@Command(
    name = "opsagent",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "An autonomous SRE agent for a multi-tenant application-hosting platform.",
    subcommands = {WorkerCommand.class, DemoCommand.class, CycleCommand.class, MigrateCommand.class,
        KillSwitchCommand.class, AuditCommand.class, RunsCommand.class, TenantsCommand.class, KeysCommand.class,
        EvalCommand.class})
public final class Main implements Runnable {

  public static void main(String[] args) {
    System.exit(run(args));
  }

  static int run(String... args) {
    CommandLine cli = new CommandLine(new Main());
    // what the operator fixes outside the program is told in one line per problem, exit 2
    cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
      if (e instanceof ConfigException c) {
        c.problems().forEach(problem -> cmd.getErr().println("opsagent: " + problem));
        return 2;
      }
      if (e instanceof ExistingDatabase.NoDatabaseException || e instanceof Failures.OneLine) {
        cmd.getErr().println("opsagent: " + e.getMessage());
        return 2;
      }
      // a command that did not guard its opening (or a database lost midway): the same one line,
      // from the environment's settings (demo uses a database of its own)
      Optional<String> line = cmd.getCommandName().equals("demo") ? Optional.empty()
          : Failures.explain(Config.fromEnv(), e);
      if (line.isPresent()) {
        cmd.getErr().println("opsagent: " + line.get());
        return 2;
      }
      throw e;
    });
    return cli.execute(args);
  }

  @Override
  public void run() {
    new CommandLine(this).usage(System.out);
  }
}
