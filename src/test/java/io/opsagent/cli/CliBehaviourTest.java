package io.opsagent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.opsagent.platform.DeploymentStatus;
import io.opsagent.support.Fixtures;
import io.opsagent.support.OpsagentProcess;
import io.opsagent.support.TestDatabase;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How the command line behaves towards the person typing it: every subcommand explains itself with
 * {@code --help} (exit 0, nothing else demanded, no colour codes into a file or a pipe); the
 * read-only commands print their answer and nothing else, and never migrate; what the operator must
 * fix outside the program (a database that does not answer, a port in use) is one line naming the
 * setting, with exit 2.
 */
class CliBehaviourTest {
  static final String WRONG_DB_URL = "jdbc:postgresql://127.0.0.1:1/nope?user=someone&password=hunter2";

  static TestDatabase db;
  static Fixtures fixtures;

  /** Every subcommand, as the program declares them (a new one is covered without editing this test). */
  static final List<String> SUBCOMMANDS =
      List.copyOf(new picocli.CommandLine(new Main()).getSubcommands().keySet());

  @TempDir
  Path dir;

  @BeforeAll
  static void createDatabase() {
    db = TestDatabase.create(CliBehaviourTest.class);
    fixtures = new Fixtures(db.database());
  }

  @AfterAll
  static void dropDatabase() {
    db.close();
  }

  static Map<String, String> env(String url) {
    return Map.of("OPSAGENT_DB_URL", url, "OPSAGENT_DB_USER", TestDatabase.USER,
        "OPSAGENT_DB_PASSWORD", TestDatabase.PASSWORD);
  }

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

  @Test
  void readOnlyCommandsPrintTheirAnswerAndNothingElse() throws Exception {
    String tenant = fixtures.tenant("acme").deployment("web", DeploymentStatus.RUNNING).id();
    List<List<String>> commands = List.of(List.of("tenants"), List.of("runs", "--tenant", tenant),
        List.of("kill-switch", "status"));
    for (List<String> command : commands) {
      try (OpsagentProcess p = OpsagentProcess.start(dir, env(db.url()), command.toArray(String[]::new))) {
        assertThat(p.awaitExit(60)).as("%s: %s", command, p.stderr()).isEqualTo(0);
        assertThat(p.stderr()).as("%s: stderr", command).isEmpty();
        assertThat(p.stdout()).as("%s", command).doesNotContain("\u001B[").doesNotContain("Config[")
            .doesNotContain("migrations").doesNotContain("WARN");
      }
    }
  }

  @Test
  void readOnlyCommandsDoNotMigrateAndSayToRunMigrate() throws Exception {
    String name = "opsagent_t_clibehind_" + UUID.randomUUID().toString().substring(0, 8).toLowerCase(Locale.ROOT);
    String url = "jdbc:postgresql://" + TestDatabase.HOST + ":" + TestDatabase.PORT + "/" + name;
    admin("CREATE DATABASE " + name);
    try {
      // an empty database: nothing to read, and nothing is created in it
      try (OpsagentProcess p = OpsagentProcess.start(dir, env(url), "tenants")) {
        assertThat(p.awaitExit(60)).as(p.stderr()).isEqualTo(2);
        assertThat(p.stderr().lines()).as(p.stderr()).singleElement().asString()
            .contains("OPSAGENT_DB_URL=" + url).contains("./opsagent migrate");
        assertThat(p.stdout()).isEmpty();
      }
      assertThat(appliedVersions(url)).as("tenants created the schema").isEmpty();

      // a schema behind this build's migrations is left as it is
      Flyway.configure().dataSource(url, TestDatabase.USER, TestDatabase.PASSWORD)
          .locations("classpath:db/migration/common", "classpath:db/migration/postgresql").target("130")
          .load().migrate();
      List<String> before = appliedVersions(url);
      List<List<String>> commands = List.of(List.of("tenants"), List.of("runs", "--tenant", "t1"),
          List.of("kill-switch", "status"));
      for (List<String> command : commands) {
        try (OpsagentProcess p = OpsagentProcess.start(dir, env(url), command.toArray(String[]::new))) {
          assertThat(p.awaitExit(60)).as("%s: %s", command, p.stderr()).isEqualTo(2);
          assertThat(p.stderr().lines()).as("%s: %s", command, p.stderr()).singleElement().asString()
              .contains("OPSAGENT_DB_URL=" + url).contains("schema version 130").contains("./opsagent migrate");
          assertThat(p.stdout()).as("%s", command).isEmpty();
        }
      }
      assertThat(appliedVersions(url)).as("a read-only command migrated").isEqualTo(before);
    } finally {
      admin("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    }
  }

  @Test
  void aWrongDatabaseUrlIsOneLineNamingItWithExit2() throws Exception {
    List<List<String>> commands = List.of(List.of("tenants"), List.of("runs", "--tenant", "t1"),
        List.of("kill-switch", "status"), List.of("migrate"), List.of("cycle", "--tenant", "t1"),
        List.of("audit", "verify", "--tenant", "t1"));
    for (List<String> command : commands) {
      try (OpsagentProcess p = OpsagentProcess.start(dir, Map.of("OPSAGENT_DB_URL", WRONG_DB_URL),
          command.toArray(String[]::new))) {
        assertThat(p.awaitExit(60)).as("%s: %s", command, p.stderr()).isEqualTo(2);
        List<String> said = p.stderr().lines().filter(l -> l.startsWith("opsagent: ")).toList();
        assertThat(said).as("%s: %s", command, p.stderr()).singleElement().asString()
            .contains("OPSAGENT_DB_URL=jdbc:postgresql://127.0.0.1:1/nope").contains("refused");
        assertThat(p.stderr()).as("%s", command).doesNotContain("\tat ").doesNotContain("Exception")
            .doesNotContain("hunter2");
        assertThat(p.stdout()).as("%s", command).isEmpty();
        if (!List.of("migrate", "cycle", "audit").contains(command.get(0))) { // these log their start
          assertThat(p.stderr().lines()).as("%s: %s", command, p.stderr()).hasSize(1);
        }
      }
    }
  }

  @Test
  void aBusyHttpPortStopsTheWorkerWithOneLineNamingOpsagentHttpPortAndExit2() throws Exception {
    try (ServerSocket taken = new ServerSocket(0)) {
      Map<String, String> env = new HashMap<>(env(db.url()));
      env.put("OPSAGENT_HTTP_PORT", String.valueOf(taken.getLocalPort()));
      env.put("OPSAGENT_API_TOKEN", "test-token");
      try (OpsagentProcess worker = OpsagentProcess.start(dir, env, "worker")) {
        assertThat(worker.awaitExit(60)).as(worker.stderr()).isEqualTo(2);
        List<String> said = worker.stderr().lines().filter(l -> l.startsWith("opsagent: ")).toList();
        assertThat(said).as(worker.stderr()).singleElement().asString()
            .contains("OPSAGENT_HTTP_PORT=" + taken.getLocalPort());
        assertThat(worker.stderr()).doesNotContain("\tat ").doesNotContain("Exception");
      }
    }
  }

  @Test
  void aBadSettingIsOneLinePerVariableWithExit2() throws Exception {
    Map<String, String> bad = new HashMap<>(env(db.url()));
    bad.put("OPSAGENT_CYCLE_INTERVAL", "every five minutes");
    bad.put("OPSAGENT_RETENTION", "forever");
    try (OpsagentProcess p = OpsagentProcess.start(dir, bad, "tenants")) {
      assertThat(p.awaitExit(60)).as(p.stderr()).isEqualTo(2);
      List<String> lines = p.stderr().lines().toList();
      assertThat(lines).as(p.stderr()).hasSize(2).allMatch(l -> l.startsWith("opsagent: OPSAGENT_"));
      assertThat(lines.get(0) + lines.get(1)).contains("OPSAGENT_CYCLE_INTERVAL").contains("OPSAGENT_RETENTION");
      assertThat(p.stdout()).isEmpty();
    }
  }

  @Test
  void theStartLineOfACycleWritesDurationsAsPeopleReadThem() throws Exception {
    try (OpsagentProcess cycle = OpsagentProcess.start(dir, env(db.url()), "cycle", "--tenant", "no-such-tenant")) {
      assertThat(cycle.awaitExit(60)).as(cycle.stderr()).isEqualTo(2);
      assertThat(cycle.stderr()).contains("retention=90 days").contains("cycleInterval=5 minutes")
          .doesNotContain("PT2160H");
    }
  }

  private static List<String> appliedVersions(String url) throws Exception {
    try (Connection c = DriverManager.getConnection(url, TestDatabase.USER, TestDatabase.PASSWORD);
        Statement s = c.createStatement()) {
      ResultSet tables = s.executeQuery("SELECT count(*) FROM information_schema.tables"
          + " WHERE table_name = 'flyway_schema_history'");
      tables.next();
      if (tables.getInt(1) == 0) {
        return List.of();
      }
      ResultSet rs = s.executeQuery("SELECT version FROM flyway_schema_history WHERE success ORDER BY installed_rank");
      List<String> versions = new java.util.ArrayList<>();
      while (rs.next()) {
        versions.add(rs.getString(1));
      }
      return versions;
    }
  }

  private static void admin(String sql) throws Exception {
    String adminUrl = "jdbc:postgresql://" + TestDatabase.HOST + ":" + TestDatabase.PORT + "/postgres";
    try (Connection c = DriverManager.getConnection(adminUrl, TestDatabase.USER, TestDatabase.PASSWORD);
        Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }
}
