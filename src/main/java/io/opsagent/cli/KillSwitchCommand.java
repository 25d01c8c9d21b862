package io.opsagent.cli;

import io.opsagent.db.Database;
import io.opsagent.trust.KillSwitch;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "kill-switch", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
    description = "The cluster-wide kill switch: on (no model call leaves any worker; cycles run on the"
        + " rules engine), off, or status.")
final class KillSwitchCommand implements Callable<Integer> {

  @Parameters(index = "0", description = "on, off or status")
  String action;

  @Option(names = "--reason", description = "why it is engaged (with on; at most 500 characters)")
  String reason;

  @Override
  public Integer call() {
    if (!action.equals("on") && !action.equals("off") && !action.equals("status")) {
      System.err.println("opsagent: kill-switch takes on, off or status, got '" + action + "'");
      return 2;
    }
    if (reason != null && reason.length() > KillSwitch.MAX_REASON) {
      System.err.println("opsagent: --reason must be at most " + KillSwitch.MAX_REASON + " characters");
      return 2;
    }
    try (Database db = ExistingDatabase.open(ExistingDatabase.config())) {
      KillSwitch ks = new KillSwitch(db.jdbi(), java.time.Clock.systemUTC());
      KillSwitch.State s = switch (action) {
        case "on" -> ks.engage(reason);
        case "off" -> ks.release();
        default -> ks.state();
      };
      System.out.println(s.engaged()
          ? "kill switch: engaged since " + s.since() + (s.reason() == null ? "" : " (reason: " + s.reason() + ")")
          : "kill switch: released");
      return 0;
    }
  }
}
