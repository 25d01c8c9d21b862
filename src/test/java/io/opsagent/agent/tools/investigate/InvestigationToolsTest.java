package io.opsagent.agent.tools.investigate;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.opsagent.agent.cycle.TenantState;
import io.opsagent.agent.cycle.ToolSession;
import io.opsagent.agent.guard.ActionGate;
import io.opsagent.agent.llm.Block;
import io.opsagent.agent.llm.ToolSpec;
import io.opsagent.agent.tools.OpsTools;
import io.opsagent.config.Config;
import io.opsagent.notify.send.WebhookSender;
import io.opsagent.platform.Deployment;
import io.opsagent.platform.DeploymentStatus;
import io.opsagent.support.FakeEndpoint;
import io.opsagent.support.Fixtures;
import io.opsagent.support.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The investigation tools as the model calls them: through the one tool pipeline, against fake endpoints. */
class InvestigationToolsTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String LOGS_SECRET = "logs-signing-secret";
  static TestDatabase db;
  static Fixtures fx;

  FakeEndpoint health;
  FakeEndpoint platform;
  FakeEndpoint prometheus;
  Investigation investigation;

  @BeforeAll
  static void setUpDatabase() {
    db = TestDatabase.create(InvestigationToolsTest.class);
    fx = new Fixtures(db.database());
  }

  @AfterAll
  static void dropDatabase() {
    db.close();
  }

  @BeforeEach
  void startEndpoints() {
    health = FakeEndpoint.start();
    platform = FakeEndpoint.start();
    prometheus = FakeEndpoint.start();
  }

  @AfterEach
  void stopEndpoints() {
    if (investigation != null) {
      investigation.close();
    }
    health.close();
    platform.close();
    prometheus.close();
  }

  Map<String, String> fullEnv() {
    Map<String, String> env = new HashMap<>();
    env.put("OPSAGENT_ALLOW_PRIVATE_HEALTH_URLS", "true");
    env.put("OPSAGENT_PLATFORM_LOGS_URL", platform.url("/internal/deployments/{deploymentId}/logs"));
    env.put("OPSAGENT_PLATFORM_LOGS_SECRET", LOGS_SECRET);
    env.put("OPSAGENT_PROMETHEUS_URL", prometheus.url(""));
    env.put("OPSAGENT_PROMETHEUS_QUERIES",
        "error_rate=sum by (pod) (rate(http_requests_total{deployment=\"{deployment}\",tenant=\"{tenantId}\",code=~\"5..\"}[5m]));"
            + "by_external=up{job=\"{externalId}\"}");
    return env;
  }

  Investigation investigation(Map<String, String> env) {
    investigation = Investigation.create(Config.fromEnv(env).investigation(), db.database().jdbi(),
        fx.deployments, Clock.systemUTC());
    return investigation;
  }

  static Block.ToolResult call(Investigation inv, String tenantId, String tool, String input) throws Exception {
    TenantState state = new TenantState(tenantId, Instant.now(), Instant.now(), List.of(), List.of(), List.of(),
        false, List.of());
    ToolSession session = new ToolSession(new OpsTools(inv.tools()), new ActionGate(10).openCycle(), state,
        "run-1", "{}");
    return session.call(new Block.ToolUse("call-1", tool, JSON.readTree(input)));
  }

  static Deployment withHealthUrl(Deployment d, String url) {
    db.database().jdbi().useHandle(h -> h.execute("UPDATE deployments SET health_url = ? WHERE id = ?", url, d.id()));
    return fx.deployments.find(d.tenantId(), d.id()).orElseThrow();
  }

  @Test
  void probeHealthAnswersTheStatusTheLatencyAndAtMostOneKilobyteOfTheBodyRedacted() throws Exception {
    var t = fx.tenant("probed").workspace("prod");
    Deployment d = withHealthUrl(t.deploy("api", DeploymentStatus.FAILED, "1.0.0"), health.url("/healthz"));
    health.answer(503, "application/json", "{\"db\": \"down\", \"password\": \"hunter2-secret\"} " + "x".repeat(5000));

    Block.ToolResult r = call(investigation(fullEnv()), t.id(), "probeHealth", "{\"deploymentId\": \"" + d.id() + "\"}");

    assertThat(r.isError()).isFalse();
    JsonNode out = JSON.readTree(r.content());
    assertThat(out.get("outcome").asText()).isEqualTo("answered");
    assertThat(out.get("status").asInt()).isEqualTo(503);
    assertThat(out.get("healthy").asBoolean()).isFalse();
    assertThat(out.get("latencyMs").asLong()).isBetween(0L, 2000L);
    assertThat(out.get("untrustedBody").asText()).hasSizeLessThanOrEqualTo(1024)
        .contains("[REDACTED:password]").doesNotContain("hunter2");
    assertThat(health.requests()).singleElement().satisfies(req -> {
      assertThat(req.method()).isEqualTo("GET");
      assertThat(req.uri().getPath()).isEqualTo("/healthz");
    });
  }

  @Test
  void aHealthUrlOnALoopbackAddressIsRefusedByTheSsrfGuardAndNeverContacted() throws Exception {
    var t = fx.tenant("ssrf").workspace("prod");
    Deployment d = withHealthUrl(t.deploy("api", DeploymentStatus.FAILED, "1.0.0"), health.url("/healthz"));
    Map<String, String> env = fullEnv();
    env.remove("OPSAGENT_ALLOW_PRIVATE_HEALTH_URLS");

    Block.ToolResult r = call(investigation(env), t.id(), "probeHealth", "{\"deploymentId\": \"" + d.id() + "\"}");

    JsonNode out = JSON.readTree(r.content());
    assertThat(out.get("outcome").asText()).isEqualTo("refused");
    assertThat(out.get("detail").asText()).contains("loopback").contains("OPSAGENT_ALLOW_PRIVATE_HEALTH_URLS")
        .doesNotContain("OPSAGENT_ALLOW_PRIVATE_WEBHOOKS");
    assertThat(health.requests()).isEmpty();
  }

  @Test
  void aDeploymentWithoutAHealthUrlIsNotProbed() throws Exception {
    var t = fx.tenant("no-health").workspace("prod");
    Deployment d = t.deploy("api", DeploymentStatus.FAILED, "1.0.0");

    Block.ToolResult r = call(investigation(fullEnv()), t.id(), "probeHealth", "{\"deploymentId\": \"" + d.id() + "\"}");

    assertThat(JSON.readTree(r.content()).get("outcome").asText()).isEqualTo("no_health_url");
  }

  @Test
  void anotherTenantsDeploymentAnswersExactlyLikeAMissingOneForEveryTool() throws Exception {
    var mine = fx.tenant("mine").workspace("prod");
    mine.deploy("api", DeploymentStatus.FAILED, "1.0.0");
    var theirs = fx.tenant("theirs").workspace("prod");
    Deployment other = withHealthUrl(theirs.deploy("secret-app", DeploymentStatus.FAILED, "1.0.0"),
        health.url("/healthz"));
    Investigation inv = investigation(fullEnv());
    String missing = "d" + other.id().substring(1).replaceAll("[0-9a-f]", "0");

    for (String tool : List.of("probeHealth", "getDeploymentLogs", "queryMetrics")) {
      String extra = tool.equals("queryMetrics") ? ", \"query\": \"error_rate\"" : "";
      Block.ToolResult theirsAnswer = call(inv, mine.id(), tool, "{\"deploymentId\": \"" + other.id() + "\"" + extra + "}");
      Block.ToolResult missingAnswer = call(inv, mine.id(), tool, "{\"deploymentId\": \"" + missing + "\"" + extra + "}");
      assertThat(theirsAnswer.isError()).as(tool).isTrue();
      assertThat(theirsAnswer.content().replace(other.id(), "ID")).as(tool)
          .isEqualTo(missingAnswer.content().replace(missing, "ID"))
          .contains("unknown deploymentId").doesNotContain("secret-app");
    }
    assertThat(health.requests()).isEmpty();
    assertThat(platform.requests()).isEmpty();
    assertThat(prometheus.requests()).isEmpty();
  }

  @Test
  void logsComeFromASignedGetBoundedToTheNewestLinesAndWithoutThePlantedSecrets() throws Exception {
    var t = fx.tenant("logs").workspace("prod");
    Deployment d = t.deploy("api", DeploymentStatus.FAILED, "1.0.0");
    String lines = IntStream.range(0, 500).mapToObj(i -> switch (i) {
      case 480 -> "ERROR connecting with postgres://app:Sup3rS3cret@db:5432/app";
      case 490 -> "boot: ANTHROPIC key sk-ant-api03-plantedSecretValue123 loaded, password=hunter2";
      default -> String.format("%04d INFO request served in 12 ms %s", i, "y".repeat(80));
    }).collect(Collectors.joining("\n", "", "\n"));
    platform.answer(200, "text/plain; charset=utf-8", lines);

    Block.ToolResult r = call(investigation(fullEnv()), t.id(), "getDeploymentLogs",
        "{\"deploymentId\": \"" + d.id() + "\", \"lines\": 200}");

    assertThat(r.isError()).isFalse();
    JsonNode out = JSON.readTree(r.content());
    List<String> shown = JSON.convertValue(out.get("untrustedLines"), JSON.getTypeFactory()
        .constructCollectionType(List.class, String.class));
    assertThat(shown).hasSizeLessThanOrEqualTo(200).last().asString().startsWith("0499");
    assertThat(String.join("\n", shown).getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(16 * 1024);
    assertThat(out.get("olderOmitted").asBoolean()).isTrue();
    assertThat(r.content()).doesNotContain("Sup3rS3cret", "plantedSecretValue", "hunter2")
        .contains("[REDACTED:url_credentials]", "[REDACTED:anthropic_key]", "[REDACTED:password]");

    FakeEndpoint.Request req = platform.requests().get(0);
    assertThat(req.uri().getPath()).isEqualTo("/internal/deployments/" + d.id() + "/logs");
    assertThat(req.param("lines")).isEqualTo("200");
    assertThat(req.param("previous")).isEqualTo("false");
    String signed = req.uri().getRawPath() + "?" + req.uri().getRawQuery();
    assertThat(req.header("webhook-signature")).isEqualTo(WebhookSender.standardSignature(LOGS_SECRET,
        req.header("webhook-id"), req.header("webhook-timestamp"), signed.getBytes(StandardCharsets.UTF_8)).orElseThrow());
    assertThat(Long.parseLong(req.header("webhook-timestamp"))).isCloseTo(Instant.now().getEpochSecond(),
        org.assertj.core.data.Offset.offset(60L));
  }

  @Test
  void logsInTheJsonFormatOfThePreviousRunAreCappedAtSixteenKilobytes() throws Exception {
    var t = fx.tenant("json-logs").workspace("prod");
    Deployment d = t.deploy("api", DeploymentStatus.FAILED, "1.0.0");
    var body = JSON.createObjectNode();
    var arr = body.putArray("lines");
    IntStream.range(0, 300).forEach(i -> arr.add(i + " " + "z".repeat(400)));
    platform.answer(200, "application/json", body.toString());

    Block.ToolResult r = call(investigation(fullEnv()), t.id(), "getDeploymentLogs",
        "{\"deploymentId\": \"" + d.id() + "\", \"lines\": 200, \"previous\": true}");

    JsonNode out = JSON.readTree(r.content());
    int bytes = 0;
    for (JsonNode l : out.get("untrustedLines")) {
      bytes += l.asText().getBytes(StandardCharsets.UTF_8).length + 1;
    }
    assertThat(bytes).isLessThanOrEqualTo(16 * 1024);
    assertThat(out.get("shown").asInt()).isBetween(30, 40);
    assertThat(out.get("untrustedLines").get(out.get("shown").asInt() - 1).asText()).startsWith("299 ");
    assertThat(platform.requests().get(0).param("previous")).isEqualTo("true");
    assertThat(platform.requests().get(0).param("lines")).isEqualTo("200");
  }

  @Test
  void queryMetricsSendsTheNamedTemplateWithTheDeploymentsOwnEscapedValuesAndSummarisesTheSeries() throws Exception {
    var t = fx.tenant("metrics").workspace("prod");
    Deployment d = t.deploy("we\"b\\1", DeploymentStatus.FAILED, "1.0.0");
    var answer = JSON.createObjectNode().put("status", "success");
    var data = answer.putObject("data").put("resultType", "matrix");
    var result = data.putArray("result");
    for (int s = 0; s < 12; s++) {
      var series = result.addObject();
      series.putObject("metric").put("pod", "web-" + s).put("note", "token=abc123secret");
      var values = series.putArray("values");
      for (int p = 0; p < 5; p++) {
        values.addArray().add(1_700_000_000 + p * 60).add(String.valueOf(s + p * 0.5));
      }
    }
    prometheus.answer(200, "application/json", answer.toString());

    Block.ToolResult r = call(investigation(fullEnv()), t.id(), "queryMetrics",
        "{\"deploymentId\": \"" + d.id() + "\", \"query\": \"error_rate\", \"range\": \"1h\"}");

    assertThat(r.isError()).as(r.content()).isFalse();
    FakeEndpoint.Request req = prometheus.requests().get(0);
    assertThat(req.uri().getPath()).isEqualTo("/api/v1/query_range");
    assertThat(req.param("query")).isEqualTo("sum by (pod) (rate(http_requests_total{deployment=\"we\\\"b\\\\1\",tenant=\""
        + t.id() + "\",code=~\"5..\"}[5m]))");
    assertThat(req.param("step")).isEqualTo("60s");
    assertThat(Long.parseLong(req.param("end")) - Long.parseLong(req.param("start"))).isEqualTo(3600);
    JsonNode out = JSON.readTree(r.content());
    assertThat(out.get("seriesShown").asInt()).isEqualTo(10);
    assertThat(out.get("seriesOmitted").asInt()).isEqualTo(2);
    JsonNode top = out.get("series").get(0);
    assertThat(top.get("labels").get("pod").asText()).isEqualTo("web-11");
    assertThat(top.get("min").asDouble()).isEqualTo(11.0);
    assertThat(top.get("max").asDouble()).isEqualTo(13.0);
    assertThat(top.get("last").asDouble()).isEqualTo(13.0);
    assertThat(top.get("points").asInt()).isEqualTo(5);
    assertThat(r.content()).doesNotContain("abc123secret");
  }

  @Test
  void anInstantQueryGoesToTheQueryEndpoint() throws Exception {
    var t = fx.tenant("instant").workspace("prod");
    Deployment d = t.deploy("web", DeploymentStatus.FAILED, "1.0.0");
    prometheus.answer(200, "application/json", "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\","
        + "\"result\":[{\"metric\":{\"pod\":\"web-0\"},\"value\":[1700000000,\"0.25\"]}]}}");

    Block.ToolResult r = call(investigation(fullEnv()), t.id(), "queryMetrics",
        "{\"deploymentId\": \"" + d.id() + "\", \"query\": \"error_rate\", \"range\": \"now\"}");

    assertThat(prometheus.requests().get(0).uri().getPath()).isEqualTo("/api/v1/query");
    assertThat(JSON.readTree(r.content()).get("series").get(0).get("last").asDouble()).isEqualTo(0.25);
  }

  @Test
  void aTemplateNeedingAValueTheDeploymentLacksIsNotRunAndAnUnknownNameIsRefused() throws Exception {
    var t = fx.tenant("no-external").workspace("prod");
    Deployment d = t.deploy("web", DeploymentStatus.FAILED, "1.0.0");
    Investigation inv = investigation(fullEnv());

    Block.ToolResult needs = call(inv, t.id(), "queryMetrics",
        "{\"deploymentId\": \"" + d.id() + "\", \"query\": \"by_external\"}");
    Block.ToolResult unknown = call(inv, t.id(), "queryMetrics",
        "{\"deploymentId\": \"" + d.id() + "\", \"query\": \"rate(x[5m])\"}");

    assertThat(needs.isError()).isTrue();
    assertThat(needs.content()).contains("{externalId}");
    assertThat(unknown.content()).startsWith("refused: invalid input").contains("'query'", "enumeration",
        "error_rate");
    assertThat(prometheus.requests()).isEmpty();
  }

  @Test
  void toolsThatAreNotConfiguredAreNotOffered() {
    assertThat(names(investigation(Map.of()))).containsExactly("probeHealth");
    investigation.close();
    Map<String, String> logsOnly = new HashMap<>(fullEnv());
    logsOnly.remove("OPSAGENT_PROMETHEUS_URL");
    logsOnly.remove("OPSAGENT_PROMETHEUS_QUERIES");
    assertThat(names(investigation(logsOnly))).containsExactly("probeHealth", "getDeploymentLogs");
    investigation.close();
    assertThat(names(investigation(fullEnv()))).containsExactly("probeHealth", "getDeploymentLogs", "queryMetrics");
  }

  private static List<String> names(Investigation inv) {
    return new OpsTools(inv.tools()).specs().stream().map(ToolSpec::name).toList();
  }
}
