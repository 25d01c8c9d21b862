package io.opsagent.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.opsagent.api.ApiClient;
import io.opsagent.notify.TestReceiver;
import io.opsagent.platform.DeploymentStatus;
import io.opsagent.support.FakeMessagesApi;
import io.opsagent.support.Fixtures;
import io.opsagent.support.TestDatabase;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What a Prometheus user scrapes from {@code /metrics}: every series there from the start, histograms
 * for cycle duration and detection latency, HELP on every metric, the runtime binders, and the
 * shipped alert rules and Grafana dashboard validated with {@code promtool} against a real scrape
 * taken after a busy run (scheduled and manual cycles, an alert, a delivery, an open incident).
 */
class MetricsScrapeTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final Path RULES = Path.of("docs/prometheus/opsagent-rules.yml");
  private static final Path DASHBOARD = Path.of("docs/grafana/opsagent.json");

  static TestDatabase db;
  static FakeMessagesApi model;
  static TestReceiver receiver;
  static Worker worker;
  static ApiClient api;
  static String atStart;
  static volatile String brokenTenant = "";

  @BeforeAll
  static void startWorker() throws Exception {
    db = TestDatabase.create(MetricsScrapeTest.class);
    model = FakeMessagesApi.start();
    SreScript sre = new SreScript(model);
    model.otherwise(request -> {
      // the SRE script, whose alert names the failed deployment: it opens an incident
      if (SreScript.stateOf(request).path("tenantId").asText().equals(brokenTenant)) {
        return new FakeMessagesApi.Reply(500, "{\"type\":\"error\",\"error\":{\"type\":\"api_error\","
            + "\"message\":\"overloaded\"}}");
      }
      JsonNode failed = SreScript.stateOf(request).path("failed");
      if (request.path("messages").size() > 1 || failed.isEmpty()) {
        return sre.apply(request);
      }
      JsonNode d = failed.get(0);
      return model.toolUse(850, 60, "sendAlert", JSON.createObjectNode()
          .put("workspaceId", d.path("workspaceId").asText()).put("deploymentId", d.path("deploymentId").asText())
          .put("severity", "critical").put("title", d.path("name").asText() + " is FAILED")
          .put("body", "Deployment " + d.path("name").asText() + " failed.").toString());
    });
    receiver = TestReceiver.answering();
    new Fixtures(db.database()).tenant("acme").workspace("production")
        .deployment("web", DeploymentStatus.RUNNING);
    WorkerEnv env = new WorkerEnv(db, model, "PT2S");
    worker = Worker.start(env.config());
    api = new ApiClient(worker.httpPort(), env.token);
    atStart = scrape();
  }

  @AfterAll
  static void stopWorker() {
    if (worker != null) {
      worker.close();
    }
    receiver.close();
    model.close();
    db.close();
  }

  @Test
  void everySeriesWithLabelValuesKnownInAdvanceIsThereFromTheStartAtZero() {
    assertThat(atStart)
        .contains("opsagent_model_calls_total{outcome=\"truncated\"} 0.0")
        .contains("opsagent_model_calls_total{outcome=\"error\"} 0.0")
        .contains("opsagent_notifications_deliveries_total{status=\"failed\",type=\"slack\"} 0.0")
        .contains("opsagent_detection_latency_seconds_count{type=\"email\"} 0")
        .contains("opsagent_incidents_open{severity=\"info\"} 0.0")
        .contains("opsagent_tenants_paused 0.0")
        .contains("opsagent_tenants_unpageable 0.0")
        .contains("opsagent_incidents_unpaged 0.0")
        .contains("opsagent_channels_failing 0.0")
        .contains("opsagent_actions_refused_total{reason=\"cooldown\"} 0.0")
        .containsPattern("opsagent_actions_total\\{outcome=\"refused\",tool=\"sendAlert\"} 0.0")
        .containsPattern("opsagent_cycles_total\\{skip_reason=\"circuit_open\",status=\"skipped\",trigger=\"manual\"}")
        .containsPattern("opsagent_cycle_duration_seconds_count\\{status=\"failed\",trigger=\"event\"}")
        .contains("opsagent_cost_usd_total");
  }

  @Test
  void aBusyRunIsScrapedWithHistogramsHelpOnEveryMetricAndRuntimeMetricsAndPassesPromtool() throws Exception {
    String tenant = api.create("/api/tenants", "{\"name\":\"globex\"}");
    String ws = api.create("/api/tenants/" + tenant + "/workspaces", "{\"name\":\"production\"}");
    api.create("/api/workspaces/" + ws + "/deployments", "{\"name\":\"web\",\"version\":\"5.0.2\"}");
    String checkout = api.create("/api/workspaces/" + ws + "/deployments", "{\"name\":\"checkout\"}");
    assertThat(api.post("/api/tenants/" + tenant + "/notification-channels",
        "{\"type\":\"webhook\",\"name\":\"on-call\",\"workspaceId\":\"" + ws + "\","
            + "\"config\":{\"url\":\"" + receiver.url("/hooks/" + tenant) + "\"}}").status()).isEqualTo(201);
    for (int i = 0; i < 3; i++) {
      assertThat(api.post("/api/tenants/" + tenant + "/ops/cycles", "").status()).isEqualTo(202);
    }
    assertThat(api.post("/api/deployments/" + checkout + "/events",
        "{\"type\":\"crash\",\"message\":\"OOMKilled\",\"status\":\"FAILED\"}").status()).isEqualTo(201);
    await().atMost(WAIT).until(() -> receiver.requests().stream()
        .anyMatch(r -> r.path().equals("/hooks/" + tenant)));

    String text = await().atMost(WAIT).until(MetricsScrapeTest::scrape,
        s -> value(s, "opsagent_detection_latency_seconds_count{type=\"webhook\"}") >= 1
            && value(s, "opsagent_incidents_open{severity=\"critical\"}") >= 1
            && value(s, "opsagent_model_calls_total{outcome=\"ok\"}") >= 2);

    assertThat(text)
        .contains("# TYPE opsagent_cycle_duration_seconds histogram")
        .containsPattern("opsagent_cycle_duration_seconds_bucket\\{status=\"completed\",trigger=\"manual\",le=\"0\\.05\"}")
        .contains("# TYPE opsagent_detection_latency_seconds histogram")
        .contains("opsagent_detection_latency_seconds_bucket{type=\"webhook\",le=\"3600.0\"} 1")
        .contains("jvm_memory_used_bytes{", "jvm_gc_", "jvm_threads_live_threads", "process_cpu_usage",
            "process_uptime_seconds", "hikaricp_connections_active{pool=\"opsagent-db\"}",
            "jetty_threads_current", "jetty_connections_");
    assertThat(value(text, "opsagent_detection_latency_seconds_count{type=\"webhook\"}"))
        .as("one FAILED event, one first delivery: its re-sends are not detections").isEqualTo(1);
    assertThat(metricsWithoutHelp(text)).as("every # TYPE has a # HELP with text").isEmpty();

    Path scraped = Files.createTempFile("opsagent-metrics", ".prom");
    Files.writeString(scraped, text);
    Assumptions.assumeTrue(promtoolPath() != null, "promtool (Debian package prometheus) is not installed");
    assertThat(promtool(scraped, "check", "metrics")).as("promtool check metrics").isEqualTo("");
    assertThat(promtool(null, "check", "rules", RULES.toString())).contains("SUCCESS");
    Set<String> names = metricNames(text);
    assertThat(referencedMetrics(Files.readString(RULES))).as("the rules name only metrics that exist")
        .isSubsetOf(names);
    JsonNode dashboard = JSON.readTree(DASHBOARD.toFile());
    StringBuilder exprs = new StringBuilder();
    dashboard.findValues("expr").forEach(e -> exprs.append(e.asText()).append('\n'));
    assertThat(referencedMetrics(exprs.toString())).as("the dashboard's queries name only metrics that exist")
        .isNotEmpty().isSubsetOf(names);
    for (JsonNode e : dashboard.findValues("expr")) {
      Path rule = Files.createTempFile("opsagent-expr", ".yml");
      Files.writeString(rule, "groups:\n  - name: dashboard\n    rules:\n      - record: dashboard:expr\n"
          + "        expr: " + JSON.writeValueAsString(e.asText().replace("$__rate_interval", "5m")) + "\n");
      assertThat(promtool(null, "check", "rules", rule.toString())).as(e.asText()).contains("SUCCESS");
    }
  }

  @Test
  void aTenantWhoseModelCallsFailIsCountedAsErrorsAndThenAsPausedByItsBreaker() {
    String tenant = api.create("/api/tenants", "{\"name\":\"flaky\"}");
    String ws = api.create("/api/tenants/" + tenant + "/workspaces", "{\"name\":\"production\"}");
    brokenTenant = tenant;
    api.create("/api/workspaces/" + ws + "/deployments", "{\"name\":\"web\"}");
    double errorsBefore = value(scrape(), "opsagent_model_calls_total{outcome=\"error\"}");

    for (int i = 0; i < 3; i++) {
      var trigger = api.post("/api/tenants/" + tenant + "/ops/cycles", "");
      assertThat(trigger.status()).isEqualTo(202);
      String runId = trigger.json().get("runId").asText();
      await().atMost(WAIT).until(() -> finished(tenant, runId));
    }

    String text = await().atMost(WAIT).until(MetricsScrapeTest::scrape,
        s -> value(s, "opsagent_tenants_paused") == 1);
    assertThat(value(text, "opsagent_model_calls_total{outcome=\"error\"}")).isGreaterThanOrEqualTo(errorsBefore + 3);
    assertThat(value(text, "opsagent_cycles_total{skip_reason=\"none\",status=\"failed\",trigger=\"manual\"}"))
        .isGreaterThanOrEqualTo(3);
  }

  /** Whether the run is listed and no longer running. */
  private static boolean finished(String tenant, String runId) {
    for (JsonNode r : api.get("/api/tenants/" + tenant + "/ops/runs?limit=50").json()) {
      if (r.get("id").asText().equals(runId)) {
        return !r.get("status").asText().equals("running");
      }
    }
    return false;
  }

  private static String scrape() {
    var r = new ApiClient(worker.httpPort(), null).get("/metrics");
    assertThat(r.status()).isEqualTo(200);
    return r.body();
  }

  /** The sample's value, or -1 when the series is not there. */
  private static double value(String text, String series) {
    for (String line : text.split("\n")) {
      if (line.startsWith(series + " ")) {
        return Double.parseDouble(line.substring(series.length() + 1).trim());
      }
    }
    return -1;
  }

  private static List<String> metricsWithoutHelp(String text) {
    Set<String> help = new LinkedHashSet<>();
    Set<String> typed = new LinkedHashSet<>();
    for (String line : text.split("\n")) {
      String[] p = line.split(" ", 4);
      if (line.startsWith("# HELP ") && p.length == 4 && !p[3].isBlank()) {
        help.add(p[2]);
      } else if (line.startsWith("# TYPE ")) {
        typed.add(p[2]);
      }
    }
    typed.removeAll(help);
    return List.copyOf(typed);
  }

  private static Set<String> metricNames(String text) {
    Set<String> names = new LinkedHashSet<>(List.of("up"));
    for (String line : text.split("\n")) {
      if (!line.startsWith("#") && !line.isBlank()) {
        names.add(line.split("[{ ]", 2)[0]);
      }
    }
    return names;
  }

  private static Set<String> referencedMetrics(String exprs) {
    Set<String> out = new LinkedHashSet<>();
    Matcher m = Pattern.compile("\\b((?:opsagent|hikaricp|jvm|process|jetty)_[a-z_]+)").matcher(exprs);
    while (m.find()) {
      out.add(m.group(1));
    }
    return out;
  }

  private static String promtoolPath() {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      File f = new File(dir, "promtool");
      if (f.canExecute()) {
        return f.getPath();
      }
    }
    return null;
  }

  /** Runs promtool (stdin from {@code input} when given); returns its output, failing on a non-zero exit. */
  private static String promtool(Path input, String... args) throws Exception {
    List<String> cmd = new java.util.ArrayList<>(List.of(promtoolPath()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    if (input != null) {
      pb.redirectInput(input.toFile());
    }
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("promtool " + String.join(" ", args) + ":\n" + out).isZero();
    return out.trim();
  }
}
