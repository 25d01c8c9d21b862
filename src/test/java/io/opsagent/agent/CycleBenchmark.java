package io.opsagent.agent;

import io.opsagent.agent.guard.CooldownStore;
import io.opsagent.agent.run.OpsRun;
import io.opsagent.agent.run.RunStatus;
import io.opsagent.config.Config;
import io.opsagent.notify.Notifier;
import io.opsagent.platform.Deployment;
import io.opsagent.platform.DeploymentStatus;
import io.opsagent.queue.schedule.Trigger;
import io.opsagent.support.FakeMessagesApi;
import io.opsagent.support.Fixtures;
import io.opsagent.support.TestAgents;
import io.opsagent.support.TestDatabase;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.SqlLogger;
import org.jdbi.v3.core.statement.StatementContext;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * What one ops cycle costs as a tenant grows, the model excluded: SQL statements and milliseconds
 * for 1 to 1,000 deployments, for a healthy tenant and for one with 20% of its deployments in trouble
 * (10% FAILED, 10% DEGRADED), on two paths: a scheduled cycle whose state is unchanged (skipped
 * without a model call) and a full review (a manual cycle, which always reviews; the rules engine
 * answers at once). In the trouble case each measured review is preceded by one new event per
 * deployment in trouble, recorded after the warm-up, so the events are in the measured context.
 * Alerts go to a notifier that drops them. The request size is what the same context costs as a
 * request to the (fake) Messages API.
 *
 * <p>Run: {@code mvn -B -q test -Pbenchmark -Dtest=CycleBenchmark}
 */
@Tag("benchmark")
class CycleBenchmark {
  private static final int RUNS = 41;

  @Test
  void costOfOneCycleByTenantSize() {
    ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
        .setLevel(ch.qos.logback.classic.Level.WARN);
    try (TestDatabase db = TestDatabase.create(CycleBenchmark.class);
        FakeMessagesApi model = FakeMessagesApi.start()) {
      AtomicInteger statements = new AtomicInteger();
      AtomicLong sqlNanos = new AtomicLong();
      Jdbi counting = Jdbi.create(db.database().dataSource());
      counting.setSqlLogger(new SqlLogger() {
        @Override
        public void logAfterExecution(StatementContext context) {
          statements.incrementAndGet();
          sqlNanos.addAndGet(context.getElapsedTime(ChronoUnit.NANOS));
        }
      });
      Notifier dropping = alert -> List.of();
      Config rules = Config.fromEnv(Map.of());
      Config claude = Config.fromEnv(Map.of("ANTHROPIC_API_KEY", "sk-bench",
          "ANTHROPIC_BASE_URL", model.baseUrl(), "OPSAGENT_LLM_MAX_RETRIES", "0"));
      OpsAgent rulesLoop = TestAgents.builder(rules, counting).notifier(dropping)
          .cooldowns(CooldownStore.inMemory(rules.cooldowns(), Clock.systemUTC())).build();
      OpsAgent claudeLoop = TestAgents.builder(claude, counting).notifier(dropping)
          .cooldowns(CooldownStore.inMemory(claude.cooldowns(), Clock.systemUTC())).build();
      model.otherwise(model.text("All clear.", 1000, 50));
      Fixtures fx = new Fixtures(db.database());

      System.out.println("| deployments | tenant | unchanged-skip path: statements | ms (p50) | of which in SQL "
          + "| full review: statements | ms (p50) | of which in SQL | request to the model, chars | ≈ tokens (chars/4) |");
      System.out.println("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|");
      for (boolean trouble : new boolean[] {false, true}) {
        for (int n : new int[] {1, 10, 100, 1000}) {
          var tenant = fx.tenant("bench-" + n + (trouble ? "-trouble" : "-healthy"));
          List<Deployment> inTrouble = new ArrayList<>();
          for (int i = 0; i < n; i++) {
            if (i % 50 == 0) {
              tenant.workspace("ws-" + i / 50);
            }
            DeploymentStatus s = !trouble ? DeploymentStatus.RUNNING : i % 10 == 0 ? DeploymentStatus.FAILED
                : i % 10 == 1 ? DeploymentStatus.DEGRADED : DeploymentStatus.RUNNING;
            var d = tenant.deploy("app-" + i, s, "1.0." + i);
            if (s != DeploymentStatus.RUNNING) {
              inTrouble.add(d);
            }
          }
          rulesLoop.runOpsCycle(tenant.id(), Trigger.MANUAL); // warm-up
          rulesLoop.runOpsCycle(tenant.id(), Trigger.SCHEDULE);
          // a full review, with new events recorded after the warm-up
          List<Double> reviewMs = new ArrayList<>();
          List<Double> reviewSql = new ArrayList<>();
          int reviewStatements = 0;
          for (int r = 0; r < RUNS; r++) {
            for (Deployment d : inTrouble) {
              fx.deployments.recordEvent(d, "health-check", null, "probe failed (" + r + ")");
            }
            statements.set(0);
            sqlNanos.set(0);
            long t0 = System.nanoTime();
            rulesLoop.runOpsCycle(tenant.id(), Trigger.MANUAL);
            reviewMs.add((System.nanoTime() - t0) / 1e6);
            reviewSql.add(sqlNanos.get() / 1e6);
            reviewStatements = statements.get();
          }
          // the unchanged-skip path: scheduled cycles, nothing new since the last review
          List<Double> skipMs = new ArrayList<>();
          List<Double> skipSql = new ArrayList<>();
          int skipStatements = 0;
          for (int r = 0; r < RUNS; r++) {
            statements.set(0);
            sqlNanos.set(0);
            long t0 = System.nanoTime();
            OpsRun run = rulesLoop.runOpsCycle(tenant.id(), Trigger.SCHEDULE);
            skipMs.add((System.nanoTime() - t0) / 1e6);
            skipSql.add(sqlNanos.get() / 1e6);
            skipStatements = statements.get();
            if (run.status() != RunStatus.SKIPPED) {
              throw new AssertionError("expected an unchanged skip, got " + run.status());
            }
          }
          for (Deployment d : inTrouble) {
            fx.deployments.recordEvent(d, "health-check", null, "probe failed (model)");
          }
          int before = model.requests().size();
          claudeLoop.runOpsCycle(tenant.id(), Trigger.MANUAL);
          int chars = model.requests().get(before).length();
          System.out.printf("| %d | %s | %d | %.1f | %.1f | %d | %.1f | %.1f | %d | %d |%n", n,
              trouble ? "20 % in trouble" : "healthy", skipStatements, p50(skipMs), p50(skipSql), reviewStatements,
              p50(reviewMs), p50(reviewSql), chars, chars / 4);
        }
      }
    }
  }

  private static double p50(List<Double> ms) {
    List<Double> s = new ArrayList<>(ms);
    Collections.sort(s);
    return s.get(s.size() / 2);
  }
}
