package io.opsagent.agent;

import io.opsagent.agent.guard.CooldownStore;
import io.opsagent.agent.run.Trigger;
import io.opsagent.config.Config;
import io.opsagent.notify.Notifier;
import io.opsagent.platform.DeploymentStatus;
import io.opsagent.support.FakeMessagesApi;
import io.opsagent.support.Fixtures;
import io.opsagent.support.TestDatabase;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.SqlLogger;
import org.jdbi.v3.core.statement.StatementContext;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * What one ops cycle costs as a tenant grows: SQL statements, milliseconds and the size of the
 * request sent to the model, for 1 to 1,000 deployments (10% FAILED, 10% DEGRADED, one event each).
 * Alerts go to a notifier that drops them, so only the cycle itself is measured.
 *
 * <p>Run: {@code mvn -B -q test -Pbenchmark -Dtest=CycleBenchmark}
 */
@Tag("benchmark")
class CycleBenchmark {
  private static final int RUNS = 15;

  @Test
  void costOfOneCycleByTenantSize() {
    try (TestDatabase db = TestDatabase.create(CycleBenchmark.class);
        FakeMessagesApi model = FakeMessagesApi.start()) {
      AtomicInteger statements = new AtomicInteger();
      Jdbi counting = Jdbi.create(db.database().dataSource());
      counting.setSqlLogger(new SqlLogger() {
        @Override
        public void logAfterExecution(StatementContext context) {
          statements.incrementAndGet();
        }
      });
      Notifier dropping = alert -> List.of();
      Config rules = Config.fromEnv(Map.of());
      Config claude = Config.fromEnv(Map.of("ANTHROPIC_API_KEY", "sk-bench",
          "ANTHROPIC_BASE_URL", model.baseUrl(), "OPSAGENT_LLM_MAX_RETRIES", "0"));
      OpsAgent rulesLoop = OpsAgent.builder(rules, counting).notifier(dropping)
          .cooldowns(CooldownStore.inMemory(rules, Clock.systemUTC())).build();
      OpsAgent claudeLoop = OpsAgent.builder(claude, counting).notifier(dropping)
          .cooldowns(CooldownStore.inMemory(claude, Clock.systemUTC())).build();
      model.otherwise(model.text("All clear.", 1000, 50));
      Fixtures fx = new Fixtures(db.database());

      System.out.println("| deployments | SQL statements per cycle | ms per cycle, rules engine (p50) "
          + "| ms per cycle, fake Claude (p50) | request to the model, chars | ≈ tokens (chars/4) |");
      System.out.println("|---:|---:|---:|---:|---:|---:|");
      for (int n : new int[] {1, 10, 100, 1000}) {
        var tenant = fx.tenant("bench-" + n);
        for (int i = 0; i < n; i++) {
          if (i % 50 == 0) {
            tenant.workspace("ws-" + i / 50);
          }
          DeploymentStatus s = i % 10 == 0 ? DeploymentStatus.FAILED
              : i % 10 == 1 ? DeploymentStatus.DEGRADED : DeploymentStatus.RUNNING;
          var d = tenant.deploy("app-" + i, s, "1.0." + i);
          fx.deployments.recordEvent(d, "deployed", null, "rolled out 1.0." + i);
        }
        rulesLoop.runOpsCycle(tenant.id(), Trigger.MANUAL); // warm-up
        statements.set(0);
        rulesLoop.runOpsCycle(tenant.id(), Trigger.MANUAL);
        int perCycle = statements.get();
        double rulesMs = p50(rulesLoop, tenant.id());
        int before = model.requests().size();
        double claudeMs = p50(claudeLoop, tenant.id());
        int chars = model.requests().get(before).length();
        System.out.printf("| %d | %d | %.1f | %.1f | %d | %d |%n", n, perCycle, rulesMs, claudeMs,
            chars, chars / 4);
      }
    }
  }

  private static double p50(OpsAgent loop, String tenantId) {
    List<Double> ms = new ArrayList<>();
    for (int i = 0; i < RUNS; i++) {
      long t0 = System.nanoTime();
      loop.runOpsCycle(tenantId, Trigger.SCHEDULE);
      ms.add((System.nanoTime() - t0) / 1e6);
    }
    Collections.sort(ms);
    return ms.get(ms.size() / 2);
  }
}
