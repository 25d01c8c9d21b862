package io.opsagent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.MDC;

/** The shipped {@code logback.xml}, configured as at start with {@code OPSAGENT_LOG_FORMAT}. */
class LogFormatTest {

  @Test
  void aTextLineCarriesTheDateWithItsOffsetTheLevelTheTenantAndTheRun() throws Exception {
    String line = logThrough("text", log -> log.info("cycle finished status=completed"));

    String[] parts = line.split(" ", 2);
    assertThat(OffsetDateTime.parse(parts[0])).as("ISO-8601 with offset: %s", line).isNotNull();
    assertThat(parts[1]).startsWith("INFO ").contains("tenant=t-42 run=r-7")
        .endsWith("- cycle finished status=completed");
  }

  @Test
  void aTextLineOutsideACycleSaysSo() throws Exception {
    String line = logThrough("text", null, log -> log.warn("worker started"));

    assertThat(line).contains("WARN ").contains("tenant=- run=-").endsWith("- worker started");
  }

  @Test
  void jsonFormatPrintsOneParsableObjectPerLineWithMdcAndException() throws Exception {
    String out = logThrough("json", log -> {
      log.info("cycle finished status={}", "completed");
      log.error("delivery failed \"quoted\"", new IllegalStateException("boom"));
    });

    String[] lines = out.split("\n");
    assertThat(lines).hasSize(2);
    ObjectMapper json = new ObjectMapper();
    JsonNode first = json.readTree(lines[0]);
    assertThat(first.path("level").asText()).isEqualTo("INFO");
    assertThat(first.path("formattedMessage").asText()).isEqualTo("cycle finished status=completed");
    assertThat(first.path("loggerName").asText()).isEqualTo("io.opsagent.test");
    assertThat(first.path("threadName").asText()).isEqualTo(Thread.currentThread().getName());
    assertThat(first.path("timestamp").asLong()).isPositive();
    assertThat(first.path("mdc").path("tenant").asText()).isEqualTo("t-42");
    assertThat(first.path("mdc").path("run").asText()).isEqualTo("r-7");
    JsonNode second = json.readTree(lines[1]);
    assertThat(second.path("formattedMessage").asText()).isEqualTo("delivery failed \"quoted\"");
    assertThat(second.path("throwable").path("className").asText()).isEqualTo("java.lang.IllegalStateException");
    assertThat(second.path("throwable").path("message").asText()).isEqualTo("boom");
  }

  @Test
  void theFormatIsTextByDefaultAndAnythingButTextOrJsonIsRefused() {
    assertThat(Config.fromEnv(Map.of()).logFormat()).isEqualTo(Config.LogFormat.TEXT);
    assertThat(Config.fromEnv(Map.of("OPSAGENT_LOG_FORMAT", "json")).logFormat()).isEqualTo(Config.LogFormat.JSON);
    assertThatThrownBy(() -> Config.fromEnv(Map.of("OPSAGENT_LOG_FORMAT", "xml")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("OPSAGENT_LOG_FORMAT: expected text or json, got \"xml\"");
  }

  private static String logThrough(String format, Consumer<Logger> body) throws Exception {
    return logThrough(format, Map.of("tenant", "t-42", "run", "r-7"), body);
  }

  /** Everything the configured appender wrote to stderr while {@code body} logged. */
  private static String logThrough(String format, Map<String, String> mdc, Consumer<Logger> body)
      throws Exception {
    LoggerContext context = new LoggerContext();
    context.putProperty("OPSAGENT_LOG_FORMAT", format);
    context.setMDCAdapter(MDC.getMDCAdapter());
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    PrintStream stderr = System.err;
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      JoranConfigurator configurator = new JoranConfigurator();
      configurator.setContext(context);
      configurator.doConfigure(LogFormatTest.class.getResource("/logback.xml"));
      if (mdc != null) {
        mdc.forEach(MDC::put);
      }
      body.accept(context.getLogger("io.opsagent.test"));
    } finally {
      MDC.clear();
      context.stop();
      System.setErr(stderr);
    }
    assertThat(context.getStatusManager().getCopyOfStatusList())
        .as("logback reports no problem with its configuration")
        .allMatch(s -> s.getLevel() == ch.qos.logback.core.status.Status.INFO);
    return captured.toString(StandardCharsets.UTF_8).strip();
  }
}
