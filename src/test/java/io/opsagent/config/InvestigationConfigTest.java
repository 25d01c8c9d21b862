package io.opsagent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InvestigationConfigTest {

  @Test
  void nothingConfiguredOffersNeitherLogsNorMetrics() {
    InvestigationConfig c = Config.fromEnv(Map.of()).investigation();
    assertThat(c.logsEnabled()).isFalse();
    assertThat(c.metricsEnabled()).isFalse();
    assertThat(c.allowPrivateHealthUrls()).isFalse();
  }

  @Test
  void privateHealthUrlsFollowTheWebhookSwitchUnlessSetThemselves() {
    assertThat(Config.fromEnv(Map.of("OPSAGENT_ALLOW_PRIVATE_WEBHOOKS", "true")).investigation()
        .allowPrivateHealthUrls()).isTrue();
    assertThat(Config.fromEnv(Map.of("OPSAGENT_ALLOW_PRIVATE_WEBHOOKS", "true",
        "OPSAGENT_ALLOW_PRIVATE_HEALTH_URLS", "false")).investigation().allowPrivateHealthUrls()).isFalse();
  }

  @Test
  void aLogsUrlNeedsASigningSecretAndFallsBackToTheControlSecret() {
    assertThatThrownBy(() -> Config.fromEnv(Map.of("OPSAGENT_PLATFORM_LOGS_URL", "https://p.example/logs/{deploymentId}")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("OPSAGENT_PLATFORM_LOGS_SECRET");
    InvestigationConfig c = Config.fromEnv(Map.of("OPSAGENT_PLATFORM_LOGS_URL", "https://p.example/logs/{deploymentId}",
        "OPSAGENT_PLATFORM_CONTROL_SECRET", "control-secret")).investigation();
    assertThat(c.logsSecret()).contains("control-secret");
    assertThat(c.toString()).doesNotContain("control-secret");
  }

  @Test
  void templatesAreNamedScopedByAPlaceholderAndQuoted() {
    InvestigationConfig c = Config.fromEnv(Map.of("OPSAGENT_PROMETHEUS_URL", "http://prometheus:9090/",
        "OPSAGENT_PROMETHEUS_QUERIES", "error_rate=sum(rate(x{deployment=\"{deployment}\"}[5m])); restarts="
            + "kube_pod_container_status_restarts_total{namespace=\"{workspace}\"}")).investigation();
    assertThat(c.metricsEnabled()).isTrue();
    assertThat(c.prometheusUrl().orElseThrow()).hasToString("http://prometheus:9090");
    assertThat(c.prometheusQueries()).containsOnlyKeys("error_rate", "restarts");

    for (String bad : new String[] {"all=up", "raw=up{job={deployment}}", "x=up{a=\"{nope}\"}", "Bad Name=up{a=\"{tenant}\"}"}) {
      assertThatThrownBy(() -> Config.fromEnv(Map.of("OPSAGENT_PROMETHEUS_URL", "http://prometheus:9090",
          "OPSAGENT_PROMETHEUS_QUERIES", bad))).as(bad)
          .isInstanceOf(ConfigException.class).hasMessageContaining("OPSAGENT_PROMETHEUS_QUERIES");
    }
  }

  @Test
  void theUrlAndTheTemplatesGoTogether() {
    assertThatThrownBy(() -> Config.fromEnv(Map.of("OPSAGENT_PROMETHEUS_URL", "http://prometheus:9090")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("go together");
  }

  @Test
  void templatesCanComeFromAFile(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("queries.conf");
    Files.writeString(file, "# error rate of one deployment\nerror_rate=sum(rate(x{deployment=\"{deployment}\"}[5m]))\n\n"
        + "memory = container_memory_working_set_bytes{pod=~\"{deployment}-.*\"}\n");
    InvestigationConfig c = Config.fromEnv(Map.of("OPSAGENT_PROMETHEUS_URL", "http://prometheus:9090",
        "OPSAGENT_PROMETHEUS_QUERIES", file.toString())).investigation();
    assertThat(c.prometheusQueries()).containsOnlyKeys("error_rate", "memory");
  }

  @Test
  void theReadmesCopyPasteTemplatesAreAccepted() throws Exception {
    String readme = Files.readString(Path.of("README.md"));
    String start = "export OPSAGENT_PROMETHEUS_QUERIES='";
    int i = readme.indexOf(start) + start.length();
    String queries = readme.substring(i, readme.indexOf("'\n", i));
    InvestigationConfig c = Config.fromEnv(Map.of("OPSAGENT_PROMETHEUS_URL", "http://prometheus.monitoring:9090",
        "OPSAGENT_PROMETHEUS_QUERIES", queries)).investigation();
    assertThat(c.prometheusQueries()).containsOnlyKeys("error_rate", "latency_p99", "restarts", "memory");
  }
}
