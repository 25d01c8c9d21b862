package io.opsagent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.opsagent.config.Config;
import java.io.IOException;
import java.net.BindException;
import java.sql.SQLException;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The one line for each problem the operator fixes outside the program; secrets never in it. */
class FailuresTest {
  static final Config CONFIG = Config.fromEnv(Map.of(
      "OPSAGENT_DB_URL", "jdbc:postgresql://db.internal:5432/ops?password=s3cret",
      "OPSAGENT_DB_USER", "ops", "OPSAGENT_DB_PASSWORD", "hunter2", "OPSAGENT_HTTP_PORT", "8081"));

  @Test
  void badCredentialsNameTheUserAndBothSettingsButNotThePassword() {
    String line = Failures.explain(CONFIG, new RuntimeException("pool",
        new SQLException("FATAL: password authentication failed for user \"ops\" (hunter2)", "28P01"))).orElseThrow();
    assertThat(line).contains("OPSAGENT_DB_URL=jdbc:postgresql://db.internal:5432/ops?password=***")
        .contains("OPSAGENT_DB_USER=ops").contains("OPSAGENT_DB_PASSWORD")
        .doesNotContain("hunter2").doesNotContain("s3cret").doesNotContain("\n");
  }

  @Test
  void anUnknownDatabaseAnUnusableUrlAndABusyPortEachSayWhatToDo() {
    assertThat(Failures.explain(CONFIG, new SQLException("FATAL: database \"ops\" does not exist", "3D000")))
        .hasValueSatisfying(l -> assertThat(l).contains("no such database").contains("create it"));
    assertThat(Failures.explain(CONFIG, new RuntimeException("Failed to get driver instance for jdbcUrl="
        + CONFIG.database().url(), new SQLException("No suitable driver", "08001"))))
        .hasValueSatisfying(l -> assertThat(l).contains("jdbc:postgresql://HOST:5432/DATABASE").doesNotContain("s3cret"));
    assertThat(Failures.explain(CONFIG, new RuntimeException("Port already in use",
        new IOException("Failed to bind", new BindException("Address already in use")))))
        .hasValueSatisfying(l -> assertThat(l).contains("OPSAGENT_HTTP_PORT=8081").contains("Address already in use"));
  }

  @Test
  void anythingElseIsNotExplainedAway() {
    assertThat(Failures.explain(CONFIG, new IllegalStateException("a bug"))).isEmpty();
    assertThat(Failures.explain(CONFIG, new SQLException("syntax error", "42601"))).isEmpty();
  }
}
