package io.opsagent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.opsagent.support.OpsagentProcess;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How the command line behaves towards the person typing it: every subcommand explains itself with
 * {@code --help} (exit 0, nothing else demanded, no colour codes into a file or a pipe).
 */
class CliBehaviourTest {
  /** Every subcommand but {@code audit}, whose options are being reworked on their own. */
  static final List<String> SUBCOMMANDS = List.of("worker", "demo", "cycle", "migrate", "kill-switch", "runs",
      "tenants");

  @TempDir
  Path dir;

  @Test
  void everySubcommandAnswersHelpWithItsUsageAndExit0WithoutDemandingItsOptions() throws Exception {
    for (String command : SUBCOMMANDS) {
      try (OpsagentProcess help = OpsagentProcess.start(dir, Map.of(), command, "--help")) {
        assertThat(help.awaitExit(60)).as("%s --help: %s", command, help.stderr()).isEqualTo(0);
        assertThat(help.stdout()).as("%s --help", command).contains("Usage: opsagent " + command)
            .contains("--help").doesNotContain("\u001B[");
        assertThat(help.stderr()).as("%s --help", command).isEmpty();
      }
    }
    assertThat(dir.resolve("data")).as("--help created a database").doesNotExist();
  }
}
