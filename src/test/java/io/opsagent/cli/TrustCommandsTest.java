package io.opsagent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.opsagent.agent.run.RunOutcome;
import io.opsagent.agent.run.RunRepository;
import io.opsagent.agent.run.RunStatus;
import io.opsagent.agent.run.TokenUsage;
import io.opsagent.queue.schedule.Trigger;
import io.opsagent.support.Fixtures;
import io.opsagent.support.OpsagentProcess;
import io.opsagent.support.TestDatabase;
import io.opsagent.trust.KillSwitch;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code kill-switch}, {@code audit verify} and {@code runs}, run as the operator runs them. */
class TrustCommandsTest {
  static TestDatabase db;
  static Fixtures fixtures;

  @TempDir
  Path dir;

  @BeforeAll
  static void createDatabase() {
    db = TestDatabase.create(TrustCommandsTest.class);
    fixtures = new Fixtures(db.database());
  }

  @AfterAll
  static void dropDatabase() {
    db.close();
  }

  Map<String, String> env() {
    return Map.of("OPSAGENT_DB_URL", db.url(), "OPSAGENT_DB_USER", TestDatabase.USER,
        "OPSAGENT_DB_PASSWORD", TestDatabase.PASSWORD, "OPSAGENT_HTTP_PORT", "0");
  }

  @Test
  void auditVerifyExits0ForAnIntactChainAnd1NamingTheRunWhoseSummaryWasChangedInSql() throws Exception {
    String tenant = fixtures.tenant("audited").id();
    RunRepository runs = new RunRepository(db.database().jdbi(), Clock.systemUTC());
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      String id = runs.start(tenant, Trigger.MANUAL).id();
      runs.finish(id, new RunOutcome(RunStatus.COMPLETED, "run " + i, "[]", new TokenUsage(1, 1, 0, 0), 1,
          "rules", null, null, null));
      ids.add(id);
    }
    try (OpsagentProcess ok = OpsagentProcess.start(dir, env(), "audit", "verify", "--tenant", tenant)) {
      assertThat(ok.awaitExit(60)).as(ok.stderr()).isEqualTo(0);
      assertThat(ok.stdout()).contains("intact").contains("3 run(s)");
    }
    try (OpsagentProcess list = OpsagentProcess.start(dir, env(), "runs", "--tenant", tenant, "--limit", "2")) {
      assertThat(list.awaitExit(60)).as(list.stderr()).isEqualTo(0);
      assertThat(list.stdout().lines()).hasSize(2);
      assertThat(list.stdout()).contains(ids.get(2)).contains("run 2").doesNotContain(ids.get(0));
    }

    db.database().jdbi().useHandle(h -> h.createUpdate(
        "UPDATE ops_agent_runs SET summary = 'nothing to see' WHERE id = :id").bind("id", ids.get(1)).execute());

    try (OpsagentProcess broken = OpsagentProcess.start(dir, env(), "audit", "verify", "--tenant", tenant)) {
      assertThat(broken.awaitExit(60)).as(broken.stderr()).isEqualTo(1);
      assertThat(broken.stdout()).contains(ids.get(1)).doesNotContain(ids.get(2));
    }
  }

  @Test
  void theKillSwitchIsStoredInTheDatabaseByOneProcessAndSeenByAnother() throws Exception {
    try (OpsagentProcess on = OpsagentProcess.start(dir, env(), "kill-switch", "on", "--reason", "drill")) {
      assertThat(on.awaitExit(60)).as(on.stderr()).isEqualTo(0);
    }
    assertThat(new KillSwitch(db.database().jdbi(), Clock.systemUTC()).state().reason()).isEqualTo("drill");
    try (OpsagentProcess status = OpsagentProcess.start(dir, env(), "kill-switch", "status")) {
      assertThat(status.awaitExit(60)).as(status.stderr()).isEqualTo(0);
      assertThat(status.stdout()).contains("engaged").contains("drill");
    }
    try (OpsagentProcess off = OpsagentProcess.start(dir, env(), "kill-switch", "off")) {
      assertThat(off.awaitExit(60)).as(off.stderr()).isEqualTo(0);
      assertThat(off.stdout()).contains("released");
    }
    assertThat(new KillSwitch(db.database().jdbi(), Clock.systemUTC()).engaged()).isFalse();
  }
}
