package io.opsagent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.opsagent.platform.DeploymentStatus;
import io.opsagent.support.FakeMessagesApi;
import io.opsagent.support.Fixtures;
import io.opsagent.support.OpsagentProcess;
import io.opsagent.support.TestDatabase;
import io.opsagent.support.TestRedis;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line as scripts use it, each command a process of its own: {@code cycle} prints
 * exactly one JSON object (the run) on stdout and says through its exit code how the run ended;
 * {@code demo} works with nothing configured, on the embedded database.
 */
class CliTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  static TestDatabase db;
  static Fixtures fixtures;
  FakeMessagesApi model = FakeMessagesApi.start();

  @TempDir
  Path dir;

  @BeforeAll
  static void createDatabase() {
    db = TestDatabase.create(CliTest.class);
    fixtures = new Fixtures(db.database());
  }

  @AfterAll
  static void dropDatabase() {
    db.close();
  }

  @AfterEach
  void stopModel() {
    model.close();
  }

  @Test
  void cycleOfAHealthyTenantPrintsExactlyOneJsonRunAndExits0() throws Exception {
    String tenant = fixtures.tenant("acme").deployment("web", DeploymentStatus.RUNNING).id();
    model.otherwise(model.text("All clear: nothing to do.", 700, 15));

    try (OpsagentProcess cycle = OpsagentProcess.start(dir, env(), "cycle", "--tenant", tenant)) {
      assertThat(cycle.awaitExit(60)).as(cycle.stderr()).isEqualTo(0);
      JsonNode run = onlyJsonObject(cycle.stdout());
      assertThat(run.get("tenantId").asText()).isEqualTo(tenant);
      assertThat(run.get("status").asText()).isEqualTo("completed");
      assertThat(run.get("trigger").asText()).isEqualTo("manual");
      assertThat(run.get("summary").asText()).isEqualTo("All clear: nothing to do.");
      assertThat(run.get("inputTokens").asLong()).isEqualTo(700);
      assertThat(run.get("actionsJson").isArray()).isTrue();
    }
  }

  @Test
  void cycleWhoseModelCallFailsPrintsTheFailedRunAndExits1() throws Exception {
    String tenant = fixtures.tenant("globex").deployment("web", DeploymentStatus.RUNNING).id();
    model.otherwise(FakeMessagesApi.error(500, "api_error", "Internal server error"));

    try (OpsagentProcess cycle = OpsagentProcess.start(dir, env(), "cycle", "--tenant", tenant)) {
      assertThat(cycle.awaitExit(60)).as(cycle.stderr()).isEqualTo(1);
      JsonNode run = onlyJsonObject(cycle.stdout());
      assertThat(run.get("tenantId").asText()).isEqualTo(tenant);
      assertThat(run.get("status").asText()).isEqualTo("failed");
      assertThat(run.get("error").asText()).isNotBlank();
      assertThat(cycle.stdout() + cycle.stderr()).doesNotContain("sk-test-not-a-real-key");
    }
  }

  @Test
  void cycleOfAnUnknownTenantExits2WithAMessageAndPrintsNothingOnStdout() throws Exception {
    try (OpsagentProcess cycle = OpsagentProcess.start(dir, env(), "cycle", "--tenant", "no-such-tenant")) {
      assertThat(cycle.awaitExit(60)).as(cycle.stderr()).isEqualTo(2);
      assertThat(cycle.stdout()).isEmpty();
      assertThat(cycle.stderr()).contains("no tenant with id no-such-tenant");
    }
    assertThat(model.requests()).isEmpty();
  }

  @Test
  void demoWithNothingConfiguredShowsOneAllClearTenantAndOneCriticalAlertOnTheEmbeddedDatabase()
      throws Exception {
    try (OpsagentProcess demo = OpsagentProcess.start(dir, Map.of(), "demo")) {
      assertThat(demo.awaitExit(120)).as(demo.stderr()).isEqualTo(0);
      String out = demo.stdout();
      assertThat(out).contains("embedded database").contains("rules engine");
      assertThat(out.lines().filter(l -> l.contains("summary:") && l.contains("All clear"))).hasSize(1);
      assertThat(out).contains("Alerts received by the demo webhook (1)");
      assertThat(out.lines().filter(l -> l.strip().startsWith("[critical]"))).hasSize(1);
      assertThat(out).contains("globex (failing)");
    }
    assertThat(Files.isDirectory(dir.resolve("data").resolve("demo"))).isTrue();
  }

  @Test
  void migrateAppliesTheMigrationsOnceAndThenFindsNothingToDo() throws Exception {
    Map<String, String> embedded = Map.of("OPSAGENT_DB_URL", "jdbc:hsqldb:file:" + dir.resolve("db/opsagent")
        + ";sql.syntax_pgs=true;hsqldb.tx=mvcc;shutdown=true");
    try (OpsagentProcess first = OpsagentProcess.start(dir, embedded, "migrate")) {
      assertThat(first.awaitExit(60)).as(first.stderr()).isEqualTo(0);
      assertThat(first.stdout()).startsWith("migrations applied: ").doesNotContain("applied: 0 ");
    }
    try (OpsagentProcess second = OpsagentProcess.start(dir, embedded, "migrate")) {
      assertThat(second.awaitExit(60)).as(second.stderr()).isEqualTo(0);
      assertThat(second.stdout()).startsWith("migrations applied: 0 ");
    }
  }

  @Test
  void aBadSettingStopsTheCommandWithExit2AndAMessageNamingIt() throws Exception {
    Map<String, String> bad = new java.util.HashMap<>(env());
    bad.put("OPSAGENT_CYCLE_INTERVAL", "every five minutes");
    try (OpsagentProcess cycle = OpsagentProcess.start(dir, bad, "cycle", "--tenant", "x")) {
      assertThat(cycle.awaitExit(60)).isEqualTo(2);
      assertThat(cycle.stderr()).contains("OPSAGENT_CYCLE_INTERVAL").doesNotContain("sk-test-not-a-real-key");
      assertThat(cycle.stdout()).isEmpty();
    }
  }

  private Map<String, String> env() {
    return Map.of(
        "OPSAGENT_DB_URL", db.url(),
        "OPSAGENT_DB_USER", TestDatabase.USER,
        "OPSAGENT_DB_PASSWORD", TestDatabase.PASSWORD,
        "OPSAGENT_REDIS_URL", TestRedis.URL,
        "ANTHROPIC_API_KEY", "sk-test-not-a-real-key",
        "ANTHROPIC_BASE_URL", model.baseUrl(),
        "OPSAGENT_LLM_MAX_RETRIES", "0");
  }

  /** stdout holds exactly one JSON value, an object; returns it. */
  private static JsonNode onlyJsonObject(String stdout) throws Exception {
    List<JsonNode> values;
    try (var it = JSON.readerFor(JsonNode.class).<JsonNode>readValues(stdout)) {
      values = it.readAll();
    }
    assertThat(values).as("stdout: %s", stdout).hasSize(1);
    assertThat(values.get(0).isObject()).isTrue();
    return values.get(0);
  }
}
