package io.opsagent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigTest {

  @Test
  void nothingConfiguredMeansEmbeddedDatabaseInMemoryCooldownsAndTheRulesEngine() {
    Config c = Config.fromEnv(Map.of());

    assertThat(c.database().embedded()).isTrue();
    assertThat(c.cooldowns().redisUrl()).isEmpty();
    assertThat(c.llm().apiKey()).isEmpty();
    assertThat(c.scheduling().cycleInterval()).isEqualTo(Duration.ofMinutes(5));
    assertThat(c.scheduling().opsConcurrency()).isEqualTo(1);
    assertThat(c.api().httpPort()).isEqualTo(8080);
    assertThat(c.cycle().maxActions()).isEqualTo(5);
    assertThat(c.cycle().maxSteps()).isEqualTo(8);
    assertThat(c.cooldowns().of("restart", Duration.ZERO)).isEqualTo(Duration.ofMinutes(30));
    assertThat(c.llm().baseUrl()).isEqualTo("https://api.anthropic.com");
  }

  @Test
  void everyBadSettingIsNamedInOneError() {
    assertThatThrownBy(() -> Config.fromEnv(Map.of(
            "OPSAGENT_CYCLE_INTERVAL", "5 minutes",
            "OPSAGENT_OPS_CONCURRENCY", "zero",
            "OPSAGENT_HTTP_PORT", "70000",
            "OPSAGENT_ALLOW_PRIVATE_WEBHOOKS", "maybe")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("OPSAGENT_CYCLE_INTERVAL")
        .hasMessageContaining("OPSAGENT_OPS_CONCURRENCY")
        .hasMessageContaining("OPSAGENT_HTTP_PORT")
        .hasMessageContaining("OPSAGENT_ALLOW_PRIVATE_WEBHOOKS");
  }

  @Test
  void aBadValueIsNamedWithTheFormThatIsAccepted() {
    assertThatThrownBy(() -> Config.fromEnv(Map.of(
            "OPSAGENT_NOTIFY_BACKOFF", "2s",
            "OPSAGENT_OPS_CONCURRENCY", "zero",
            "OPSAGENT_ALLOW_PRIVATE_WEBHOOKS", "maybe",
            "OPSAGENT_DEFAULT_MODE", "shadow",
            "OPSAGENT_CIRCUIT_PAUSE", "PT0S")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("OPSAGENT_NOTIFY_BACKOFF: expected an ISO-8601 duration like PT2S, got \"2s\"")
        .hasMessageContaining("OPSAGENT_OPS_CONCURRENCY: expected an integer from 1 to 256, got \"zero\"")
        .hasMessageContaining("OPSAGENT_ALLOW_PRIVATE_WEBHOOKS: expected true or false, got \"maybe\"")
        .hasMessageContaining("OPSAGENT_DEFAULT_MODE: expected live or dry-run, got \"shadow\"")
        .hasMessageContaining("OPSAGENT_CIRCUIT_PAUSE: expected a positive ISO-8601 duration like PT30M, got \"PT0S\"");
  }

  @Test
  void secretsAreMaskedWhenTheConfigIsPrinted() {
    Config c = Config.fromEnv(Map.of(
        "ANTHROPIC_API_KEY", "sk-ant-secret-key",
        "OPSAGENT_DB_PASSWORD", "db-secret",
        "OPSAGENT_API_TOKEN", "api-secret",
        "OPSAGENT_REDIS_URL", "redis://:redis-secret@10.0.0.5:6379/0",
        "OPSAGENT_SMTP_PASSWORD", "smtp-secret",
        "OPSAGENT_DB_URL", "jdbc:postgresql://db:5432/ops?user=ops&password=url-secret&ssl=true"));

    assertThat(c.toString())
        .doesNotContain("sk-ant-secret-key", "db-secret", "api-secret", "redis-secret", "smtp-secret", "url-secret");
  }

  @Test
  void alertmanagerLabelsDefaultToNamespaceAndDeploymentAndABadNameIsNamed() {
    assertThat(Config.fromEnv(Map.of()).alertmanager().labels()).containsExactly("namespace", "deployment");
    assertThat(Config.fromEnv(Map.of("OPSAGENT_ALERTMANAGER_LABELS", " cluster, service ")).alertmanager().labels())
        .containsExactly("cluster", "service");
    assertThatThrownBy(() -> Config.fromEnv(Map.of("OPSAGENT_ALERTMANAGER_LABELS", "namespace,app-name")))
        .hasMessageContaining("OPSAGENT_ALERTMANAGER_LABELS").hasMessageContaining("app-name");
  }

  @Test
  void theBindAddressAndTrustedProxiesAreReadAndABadOneIsNamed() {
    Config c = Config.fromEnv(Map.of("OPSAGENT_HTTP_BIND", "127.0.0.1",
        "OPSAGENT_TRUSTED_PROXIES", "10.0.0.0/8, 192.168.1.10"));
    assertThat(c.http().bindOr("0.0.0.0")).isEqualTo("127.0.0.1");
    assertThat(c.http().trustedProxies()).containsExactly("10.0.0.0/8", "192.168.1.10");
    assertThat(Config.fromEnv(Map.of()).http().bindOr("0.0.0.0")).isEqualTo("0.0.0.0");
    assertThatThrownBy(() -> Config.fromEnv(Map.of("OPSAGENT_HTTP_BIND", "localhost",
        "OPSAGENT_TRUSTED_PROXIES", "10.0.0.0/8,proxy.local")))
        .hasMessageContaining("OPSAGENT_HTTP_BIND").hasMessageContaining("OPSAGENT_TRUSTED_PROXIES")
        .hasMessageContaining("proxy.local");
  }

  @Test
  void aToolsCooldownIsFoundByItsNameOrByItsLeadingVerb() {
    Config c = Config.fromEnv(Map.of("OPSAGENT_ACTION_COOLDOWNS", "restart=PT30M,update=PT1H,scaleDeployment=PT5M"));

    assertThat(c.cooldowns().of("restartDeployment", Duration.ZERO)).isEqualTo(Duration.ofMinutes(30));
    assertThat(c.cooldowns().of("updateDeployment", Duration.ZERO)).isEqualTo(Duration.ofHours(1));
    assertThat(c.cooldowns().of("scaleDeployment", Duration.ZERO)).isEqualTo(Duration.ofMinutes(5));
    assertThat(c.cooldowns().of("rollbackDeployment", Duration.ofMinutes(9))).isEqualTo(Duration.ofMinutes(9));
  }

  @Test
  void aSecretKeyMustBeBase64OfExactly32BytesAndIsNeverPrinted() {
    String key = java.util.Base64.getEncoder().encodeToString(new byte[32]).replace("AAAA", "AbCd");
    Config c = Config.fromEnv(Map.of("OPSAGENT_SECRET_KEY", key));

    assertThat(c.notifications().secretKey()).hasValueSatisfying(k -> assertThat(k.getEncoded()).hasSize(32));
    assertThat(c.toString()).doesNotContain(key).contains("secretKey=***");
    assertThat(Config.fromEnv(Map.of()).notifications().secretKey()).isEmpty();
    assertThatThrownBy(() -> Config.fromEnv(Map.of("OPSAGENT_SECRET_KEY",
            java.util.Base64.getEncoder().encodeToString(new byte[16]))))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("OPSAGENT_SECRET_KEY: expected base64 of 32 random bytes")
        .hasMessageContaining("decodes to 16 bytes");
    assertThatThrownBy(() -> Config.fromEnv(Map.of("OPSAGENT_SECRET_KEY", "not base64!")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("OPSAGENT_SECRET_KEY")
        .hasMessageNotContaining("not base64!");
  }

  @Test
  void retentionIsNinetyDaysByDefaultAndAnIsoDuration() {
    assertThat(Config.fromEnv(Map.of()).audit().retention()).isEqualTo(Duration.ofDays(90));
    assertThat(Config.fromEnv(Map.of("OPSAGENT_RETENTION", "P30D")).audit().retention()).isEqualTo(Duration.ofDays(30));
    assertThatThrownBy(() -> Config.fromEnv(Map.of("OPSAGENT_RETENTION", "90 days")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("OPSAGENT_RETENTION");
  }

  @Test
  void theAuditKeysAreBase64Of32BytesNeverPrintedAndThePreviousOneNeedsACurrentOne() {
    String key = java.util.Base64.getEncoder().encodeToString(new byte[32]).replace("AAAA", "KeyA");
    String previous = java.util.Base64.getEncoder().encodeToString(new byte[32]).replace("AAAA", "KeyB");
    Config c = Config.fromEnv(Map.of("OPSAGENT_AUDIT_KEY", key, "OPSAGENT_AUDIT_KEY_PREVIOUS", previous));

    assertThat(c.audit().key()).hasValueSatisfying(k -> assertThat(k.getAlgorithm()).isEqualTo("HmacSHA256"));
    assertThat(c.audit().previousKey()).hasValueSatisfying(k -> assertThat(k.getEncoded()).hasSize(32));
    assertThat(c.toString()).doesNotContain(key, previous)
        .contains("auditKey=***", "auditKeyPrevious=***");
    assertThat(Config.fromEnv(Map.of()).audit().key()).isEmpty();
    assertThat(Config.fromEnv(Map.of()).toString()).contains("auditKey=unset");
    assertThatThrownBy(() -> Config.fromEnv(Map.of("OPSAGENT_AUDIT_KEY",
            java.util.Base64.getEncoder().encodeToString(new byte[16]))))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("OPSAGENT_AUDIT_KEY: expected base64 of 32 random bytes")
        .hasMessageContaining("decodes to 16 bytes");
    assertThatThrownBy(() -> Config.fromEnv(Map.of("OPSAGENT_AUDIT_KEY_PREVIOUS", "not base64!")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("OPSAGENT_AUDIT_KEY_PREVIOUS")
        .hasMessageNotContaining("not base64!");
    assertThatThrownBy(() -> Config.fromEnv(Map.of("OPSAGENT_AUDIT_KEY_PREVIOUS", previous)))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("OPSAGENT_AUDIT_KEY_PREVIOUS is set but OPSAGENT_AUDIT_KEY is not");
  }
}
