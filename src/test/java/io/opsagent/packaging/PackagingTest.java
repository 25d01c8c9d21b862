package io.opsagent.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.opsagent.Json;
import io.opsagent.api.ApiServer;
import io.opsagent.config.Config;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The packaging files (Kubernetes manifest, systemd unit and its environment file, Dockerfile) agree
 * with the code: the probes ask routes the API serves, the ports are the default
 * {@code OPSAGENT_HTTP_PORT}, and every variable they set is one opsagent reads. No Docker or
 * cluster is needed: the manifest is parsed, the routes are asked of a real API server.
 */
class PackagingTest {
  static final Path MANIFEST = Path.of("packaging/kubernetes/opsagent.yaml");
  static final Pattern VARIABLE = Pattern.compile("\\b(?:OPSAGENT|ANTHROPIC)_[A-Z0-9_]*[A-Z0-9]\\b");
  static List<JsonNode> docs;
  static JsonNode container;

  @BeforeAll
  static void parseTheManifest() throws IOException {
    YAMLMapper yaml = new YAMLMapper();
    try (var parser = new YAMLFactory().createParser(MANIFEST.toFile())) {
      docs = yaml.readValues(parser, JsonNode.class).readAll();
    }
    container = kind("Deployment").path("spec").path("template").path("spec").path("containers").get(0);
  }

  @Test
  void theProbesAskRoutesTheApiServesOnTheContainersPort() throws Exception {
    JsonNode live = container.path("livenessProbe").path("httpGet");
    JsonNode ready = container.path("readinessProbe").path("httpGet");
    assertThat(live.path("path").asText()).isEqualTo("/health/live");
    assertThat(ready.path("path").asText()).isEqualTo("/health/ready");
    assertThat(container.path("startupProbe").path("httpGet").path("path").asText()).isEqualTo("/health/live");
    for (JsonNode probe : List.of(live, ready)) {
      assertThat(probe.path("port").asText()).as("a probe's port is the container's named port")
          .isEqualTo(container.path("ports").get(0).path("name").asText());
    }

    ApiServer api = new ApiServer("token", Json.MAPPER, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
        List.of(new ApiServer.HealthCheck("database", () -> true)), List.of()).start(0);
    try {
      assertThat(api.routes()).contains("GET " + live.path("path").asText(), "GET " + ready.path("path").asText());
      HttpClient http = HttpClient.newHttpClient();
      for (String path : List.of(live.path("path").asText(), ready.path("path").asText())) {
        HttpResponse<String> answer = http.send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + api.port() + path)).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).as(path + " needs no token").isEqualTo(200);
      }
    } finally {
      api.close();
    }
  }

  @Test
  void everyPortIsTheDefaultHttpPort() throws IOException {
    int defaultPort = Config.fromEnv(Map.of()).api().httpPort();

    assertThat(container.path("ports").get(0).path("containerPort").asInt()).isEqualTo(defaultPort);
    assertThat(env(container)).containsEntry("OPSAGENT_HTTP_PORT", String.valueOf(defaultPort));
    JsonNode servicePort = kind("Service").path("spec").path("ports").get(0);
    assertThat(servicePort.path("targetPort").asText()).isEqualTo(container.path("ports").get(0).path("name").asText());
    assertThat(servicePort.path("port").asInt()).isEqualTo(defaultPort);
    assertThat(Files.readString(Path.of("Dockerfile"))).contains("EXPOSE " + defaultPort)
        .contains("OPSAGENT_HTTP_PORT=" + defaultPort);
    assertThat(Files.readString(Path.of("packaging/systemd/opsagent.env.example")))
        .contains("OPSAGENT_HTTP_PORT=" + defaultPort);
  }

  @Test
  void secretsComeFromTheSecretAndPlainSettingsHoldNone() {
    JsonNode secret = kind("Secret");
    assertThat(container.path("envFrom").get(0).path("secretRef").path("name").asText())
        .isEqualTo(secret.path("metadata").path("name").asText());
    List<String> keys = new ArrayList<>();
    secret.path("stringData").fieldNames().forEachRemaining(keys::add);
    assertThat(keys).contains("OPSAGENT_API_TOKEN", "OPSAGENT_SECRET_KEY", "OPSAGENT_AUDIT_KEY",
        "OPSAGENT_DB_PASSWORD", "ANTHROPIC_API_KEY", "OPSAGENT_PLATFORM_CONTROL_SECRET");
    assertThat(env(container).keySet()).noneMatch(name -> name.matches(".*(PASSWORD|TOKEN|SECRET|_KEY).*"));
  }

  @Test
  void everyVariableThePackagingSetsIsOneOpsagentReads() throws IOException {
    String code = configSources();
    Set<String> named = new TreeSet<>();
    for (Path file : List.of(MANIFEST, Path.of("packaging/systemd/opsagent.env.example"),
        Path.of("packaging/systemd/opsagent.service"), Path.of("Dockerfile"))) {
      Matcher m = VARIABLE.matcher(Files.readString(file));
      while (m.find()) {
        named.add(m.group());
      }
    }

    assertThat(named).contains("OPSAGENT_DB_URL", "OPSAGENT_REDIS_URL", "OPSAGENT_HTTP_PORT", "OPSAGENT_API_TOKEN");
    assertThat(named).allSatisfy(name -> assertThat(code).as(name + " is read by the configuration")
        .containsAnyOf("\"" + name + "\"", "${" + name + ":"));
  }

  /** The configuration's sources and the logging configuration: where every variable is read. */
  private static String configSources() throws IOException {
    StringBuilder all = new StringBuilder();
    for (Path root : List.of(Path.of("src/main/java/io/opsagent/config"), Path.of("src/main/resources"))) {
      try (Stream<Path> files = Files.walk(root)) {
        for (Path f : files.filter(p -> p.toString().endsWith(".java") || p.toString().endsWith(".xml")).toList()) {
          all.append(Files.readString(f)).append('\n');
        }
      }
    }
    return all.toString();
  }

  private static Map<String, String> env(JsonNode container) {
    Map<String, String> out = new java.util.LinkedHashMap<>();
    container.path("env").forEach(e -> out.put(e.path("name").asText(), e.path("value").asText()));
    return out;
  }

  private static JsonNode kind(String kind) {
    return docs.stream().filter(d -> d.path("kind").asText().equals(kind)).findFirst()
        .orElseThrow(() -> new AssertionError("no " + kind + " in " + MANIFEST));
  }
}
