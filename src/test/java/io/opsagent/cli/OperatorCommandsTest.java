package io.opsagent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.opsagent.agent.run.RunOutcome;
import io.opsagent.agent.run.RunRepository;
import io.opsagent.agent.run.RunStatus;
import io.opsagent.agent.run.TokenUsage;
import io.opsagent.platform.DeploymentStatus;
import io.opsagent.queue.schedule.Trigger;
import io.opsagent.support.Fixtures;
import io.opsagent.support.OpsagentProcess;
import io.opsagent.support.TestDatabase;
import io.opsagent.trust.Mode;
import io.opsagent.trust.TenantSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The questions an operator asks from a shell: which version is this, how are my tenants doing,
 * and — when the database setting is missing — a clear answer instead of a fresh, empty database.
 */
class OperatorCommandsTest {
  static TestDatabase db;
  static Fixtures fixtures;

  @TempDir
  Path dir;

  @BeforeAll
  static void createDatabase() {
    db = TestDatabase.create(OperatorCommandsTest.class);
    fixtures = new Fixtures(db.database());
  }

  @AfterAll
  static void dropDatabase() {
    db.close();
  }

  Map<String, String> env() {
    return Map.of("OPSAGENT_DB_URL", db.url(), "OPSAGENT_DB_USER", TestDatabase.USER,
        "OPSAGENT_DB_PASSWORD", TestDatabase.PASSWORD);
  }

  @Test
  void versionPrintsTheProjectVersionOfThePom() throws Exception {
    try (OpsagentProcess version = OpsagentProcess.start(dir, Map.of(), "--version")) {
      assertThat(version.awaitExit(60)).as(version.stderr()).isEqualTo(0);
      assertThat(version.stdout().strip()).isEqualTo("opsagent " + pomVersion());
    }
  }

  @Test
  void tenantsPrintsOneLinePerTenantWithItsAgentStatus() throws Exception {
    String failing = fixtures.tenant("globex failing").deployment("checkout", DeploymentStatus.FAILED)
        .deployment("web", DeploymentStatus.DEGRADED).id();
    new TenantSettings(db.database().jdbi(), Mode.LIVE, Clock.systemUTC()).update(failing, Mode.DRY_RUN, false, null);
    String healthy = fixtures.tenant("acme").deployment("web", DeploymentStatus.RUNNING).id();
    RunRepository runs = new RunRepository(db.database().jdbi(), Clock.systemUTC());
    String run = runs.start(healthy, Trigger.MANUAL).id();
    runs.finish(run, new RunOutcome(RunStatus.COMPLETED, "all clear", "[]", new TokenUsage(1, 1, 0, 0), 1,
        "rules", null, null, null));

    try (OpsagentProcess tenants = OpsagentProcess.start(dir, env(), "tenants")) {
      assertThat(tenants.awaitExit(60)).as(tenants.stderr()).isEqualTo(0);
      String failingLine = lineOf(tenants.stdout(), failing);
      assertThat(failingLine).contains("globex failing").contains("opsEnabled=true").contains("paused=false")
          .contains("mode=dry-run").contains("failed=1").contains("degraded=1").contains("lastRun=-");
      String healthyLine = lineOf(tenants.stdout(), healthy);
      assertThat(healthyLine).contains("acme").contains("mode=live").contains("failed=0")
          .contains("degraded=0").contains("completed");
    }
  }

  @Test
  void commandsThatReadStoredStateRefuseToStartWithoutADatabaseAndNameTheSetting() throws Exception {
    List<List<String>> commands = List.of(List.of("cycle", "--tenant", "t1"), List.of("runs", "--tenant", "t1"),
        List.of("tenants"), List.of("audit", "verify", "--tenant", "t1"), List.of("kill-switch", "status"));
    for (List<String> command : commands) {
      try (OpsagentProcess p = OpsagentProcess.start(dir, Map.of(), command.toArray(String[]::new))) {
        assertThat(p.awaitExit(60)).as("%s: %s", command, p.stderr()).isEqualTo(2);
        assertThat(p.stderr()).as("%s", command).contains("OPSAGENT_DB_URL").doesNotContain("no tenant");
        assertThat(p.stdout()).as("%s", command).isEmpty();
      }
      assertThat(dir.resolve("data")).as("%s created a database", command).doesNotExist();
    }
  }

  @Test
  void afterMigrateCreatedTheEmbeddedDatabaseTheSameCommandsUseIt() throws Exception {
    try (OpsagentProcess migrate = OpsagentProcess.start(dir, Map.of(), "migrate")) {
      assertThat(migrate.awaitExit(60)).as(migrate.stderr()).isEqualTo(0);
    }
    assertThat(Files.isDirectory(dir.resolve("data"))).isTrue();
    try (OpsagentProcess tenants = OpsagentProcess.start(dir, Map.of(), "tenants")) {
      assertThat(tenants.awaitExit(60)).as(tenants.stderr()).isEqualTo(0);
      assertThat(tenants.stdout()).isEmpty();
    }
    try (OpsagentProcess status = OpsagentProcess.start(dir, Map.of(), "kill-switch", "status")) {
      assertThat(status.awaitExit(60)).as(status.stderr()).isEqualTo(0);
      assertThat(status.stdout()).contains("released");
    }
  }

  private static String lineOf(String stdout, String tenantId) {
    List<String> lines = stdout.lines().filter(l -> l.startsWith(tenantId + " ")).toList();
    assertThat(lines).as("stdout: %s", stdout).hasSize(1);
    return lines.get(0);
  }

  /** The project's own version, as the pom declares it (the first version after the artifactId). */
  private static String pomVersion() throws Exception {
    Matcher m = Pattern.compile("<artifactId>opsagent</artifactId>\\s*<version>([^<]+)</version>")
        .matcher(Files.readString(Path.of("pom.xml")));
    assertThat(m.find()).as("pom.xml declares the project version").isTrue();
    return m.group(1);
  }
}
