package io.opsagent.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.opsagent.agent.guard.CooldownStore;
import io.opsagent.agent.llm.RulesEngine;
import io.opsagent.agent.run.FallbackReason;
import io.opsagent.agent.run.OpsRun;
import io.opsagent.agent.run.RunRepository;
import io.opsagent.agent.run.RunStatus;
import io.opsagent.config.Config;
import io.opsagent.db.Ids;
import io.opsagent.platform.DeploymentStatus;
import io.opsagent.queue.schedule.Trigger;
import io.opsagent.support.FakeMessagesApi;
import io.opsagent.support.Fixtures;
import io.opsagent.support.TestAgents;
import io.opsagent.support.TestDatabase;
import java.math.BigDecimal;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What a run cost (issue 11, item 4): priced from {@code OPSAGENT_MODEL_PRICES}, or honestly unknown. */
class CostAccountingTest {
  static TestDatabase db;
  static Fixtures fx;

  FakeMessagesApi api;
  RealNotifier notify;

  @BeforeAll
  static void createDatabase() {
    db = TestDatabase.create(CostAccountingTest.class);
    fx = new Fixtures(db.database());
  }

  @AfterAll
  static void dropDatabase() {
    db.close();
  }

  @BeforeEach
  void start() {
    api = FakeMessagesApi.start();
    notify = new RealNotifier(db.database());
  }

  @AfterEach
  void stop() {
    notify.close();
    api.close();
  }

  OpsAgent agent(Map<String, String> env) {
    Config config = Config.fromEnv(env);
    return TestAgents.builder(config, db.database().jdbi()).notifier(notify.notifier)
        .cooldowns(CooldownStore.inMemory(config.cooldowns(), Clock.systemUTC())).build();
  }

  Map<String, String> claude(String... more) {
    Map<String, String> env = new HashMap<>(Map.of("ANTHROPIC_API_KEY", "sk-ant-test-" + Ids.newId(),
        "ANTHROPIC_BASE_URL", api.baseUrl(), "OPSAGENT_LLM_MAX_RETRIES", "0"));
    for (int i = 0; i < more.length; i += 2) {
      env.put(more[i], more[i + 1]);
    }
    return env;
  }

  @Test
  void aRunIsPricedFromThePriceTableIncludingPromptCacheTokens() {
    var t = fx.tenant("priced").workspace("web").deployment("api", DeploymentStatus.RUNNING);
    api.then(api.text("All clear.", 2000, 100, 10_000, 3000));

    try (OpsAgent agent = agent(claude("OPSAGENT_MODEL", "claude-custom",
        "OPSAGENT_MODEL_PRICES", "claude-custom=2/10/2.5/0.2"))) {
      OpsRun run = agent.runOpsCycle(t.id(), Trigger.MANUAL);

      // (2000 × 2 + 100 × 10 + 3000 × 2.5 + 10000 × 0.2) / 1e6
      assertThat(run.costUsd()).isEqualByComparingTo("0.0145");
      assertThat(run.cacheReadTokens()).isEqualTo(10_000);
      assertThat(run.cacheWriteTokens()).isEqualTo(3000);
      assertThat(api.request(0).get("model").asText()).isEqualTo("claude-custom");
    }
  }

  @Test
  void aModelMissingFromThePriceTableRecordsAnUnknownCostNotZero() {
    var t = fx.tenant("unpriced").workspace("web").deployment("api", DeploymentStatus.RUNNING);
    api.then(api.text("All clear.", 1000, 50, 4000, 2000));

    try (OpsAgent agent = agent(claude("OPSAGENT_MODEL", "claude-without-price",
        "OPSAGENT_MODEL_PRICES", "claude-sonnet-4-5=3/15/3.75/0.30"))) {
      OpsRun run = agent.runOpsCycle(t.id(), Trigger.MANUAL);

      assertThat(run.status()).isEqualTo(RunStatus.COMPLETED);
      assertThat(run.costUsd()).isNull();
      assertThat(new RunRepository(db.database().jdbi(), Clock.systemUTC()).find(t.id(), run.id()).orElseThrow().costUsd()).isNull();
      assertThat(run.inputTokens()).isEqualTo(1000);
    }
  }

  @Test
  void theRulesEngineCostsNothingAndSaysWhyItDecided() {
    var t = fx.tenant("no-key").workspace("web").deployment("api", DeploymentStatus.FAILED);

    try (OpsAgent agent = agent(Map.of())) {
      OpsRun run = agent.runOpsCycle(t.id(), Trigger.MANUAL);

      assertThat(run.status()).isEqualTo(RunStatus.COMPLETED);
      assertThat(run.model()).isEqualTo(RulesEngine.MODEL_ID);
      assertThat(run.fallbackReason()).isEqualTo(FallbackReason.NO_API_KEY);
      assertThat(run.costUsd()).isEqualByComparingTo(BigDecimal.ZERO);
      assertThat(api.requests()).isEmpty();
    }
  }
}
