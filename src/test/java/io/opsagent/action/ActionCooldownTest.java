package io.opsagent.action;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.opsagent.agent.OpsAgent;
import io.opsagent.agent.guard.CooldownStore;
import io.opsagent.agent.run.OpsRun;
import io.opsagent.agent.tools.OpsTools;
import io.opsagent.config.Config;
import io.opsagent.db.Ids;
import io.opsagent.notify.Notifier;
import io.opsagent.platform.Deployment;
import io.opsagent.platform.DeploymentStatus;
import io.opsagent.queue.DeploymentJob;
import io.opsagent.queue.schedule.Trigger;
import io.opsagent.support.FakeMessagesApi;
import io.opsagent.support.Fixtures;
import io.opsagent.support.SettableClock;
import io.opsagent.support.TestAgents;
import io.opsagent.support.TestDatabase;
import io.opsagent.support.TestRedis;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The per-deployment cooldown of platform actions holds in the database when Redis loses its keys:
 * the agent wired as in production (real Redis cooldown store, the actions' checks and tools, a
 * scripted Messages API as the model, a loopback control endpoint) on PostgreSQL, with a clock the
 * test moves. A Redis flush is simulated by deleting this test's own cooldown key (the test Redis
 * database is shared, so it is never flushed), and the key's expiry after the window the same way.
 */
class ActionCooldownTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String RESTART = ActionKind.RESTART.tool();
  static final Duration COOLDOWN = Duration.ofMinutes(30);
  static TestDatabase db;
  static Fixtures fx;
  static FakePlatform platform;
  static RedisClient inspector;
  static StatefulRedisConnection<String, String> redis;

  FakeMessagesApi model;
  SettableClock clock;
  CooldownStore store;
  PlatformActions actions;
  OpsAgent agent;

  @BeforeAll
  static void setUp() {
    db = TestDatabase.create(ActionCooldownTest.class);
    fx = new Fixtures(db.database());
    platform = new FakePlatform();
    inspector = RedisClient.create(TestRedis.URL);
    redis = inspector.connect();
  }

  @AfterAll
  static void tearDown() {
    redis.close();
    inspector.shutdown();
    platform.close();
    db.close();
  }

  @BeforeEach
  void start() {
    model = FakeMessagesApi.start();
    model.otherwise(model.text("Nothing more to do.", 10, 5));
    clock = SettableClock.startingNow();
    Map<String, String> env = new HashMap<>();
    env.put("ANTHROPIC_API_KEY", "sk-ant-test-" + Ids.newId());
    env.put("ANTHROPIC_BASE_URL", model.baseUrl());
    env.put("OPSAGENT_LLM_MAX_RETRIES", "0");
    env.put("OPSAGENT_REDIS_URL", TestRedis.URL);
    env.put("OPSAGENT_ACTION_COOLDOWNS", RESTART + "=" + COOLDOWN);
    env.put("OPSAGENT_PLATFORM_CONTROL_URL", platform.url());
    env.put("OPSAGENT_PLATFORM_CONTROL_SECRET", "control-secret-for-tests");
    Config config = Config.fromEnv(env);
    Notifier notifier = alert -> List.of();
    store = CooldownStore.redis(config.cooldowns(), Duration.ofSeconds(2));
    actions = PlatformActions.create(config.actions(), config.cooldowns(), db.database(),
        new io.opsagent.action.ActionRepository(db.database().jdbi(), Clock.systemUTC()), new io.opsagent.platform.DeploymentRepository(db.database().jdbi(), Clock.systemUTC()), notifier, ActionHolds.NONE, clock).orElseThrow();
    agent = TestAgents.builder(config, db.database().jdbi()).notifier(notifier).cooldowns(store).clock(clock)
        .extraTools(actions.tools()).actionChecks(actions.limits()).build();
  }

  @AfterEach
  void stop() {
    actions.close();
    store.close();
    model.close();
  }

  @Test
  void aRestartInsideTheWindowIsRefusedAfterRedisLostItsKeyAndAllowedOnceTheWindowHasPassed() {
    var t = fx.tenant("flushed").workspace("production");
    Deployment web = fx.deployments.create(t.lastWorkspace(), "web", DeploymentStatus.FAILED, "1.0.0");
    String key = CooldownStore.cooldownKey(web.id(), RESTART);

    OpsRun first = cycleRestarting(t.id(), web.id());
    assertThat(actions(first).get(0).get("allowed").asBoolean()).isTrue();
    OpsAction restarted = actions.actions().list(t.id(), 1).get(0);
    actions.handle(new DeploymentJob(ActionTools.SEND, t.id(), web.id(), Map.of("actionId", restarted.id())));
    assertThat(actions.actions().find(restarted.id()).orElseThrow().status()).isEqualTo(ActionStatus.SENT);
    assertThat(platform.requestsFor(web.id())).hasSize(1);
    assertThat(redis.sync().pttl(key)).as("the fast path claimed the window").isPositive();

    // Redis loses its data (flush, restart without persistence); 11 minutes later the same restart
    redis.sync().del(key);
    clock.advance(Duration.ofMinutes(11));
    OpsRun second = cycleRestarting(t.id(), web.id());

    JsonNode refused = actions(second).get(0);
    assertThat(refused.get("allowed").asBoolean()).isFalse();
    assertThat(refused.get("reason").asText())
        .isEqualTo(RESTART + " of deployment " + web.id() + " is on cooldown for another 19m0s");
    assertThat(refused.get("refusal").asText()).isEqualTo("cooldown");
    JsonNode toolResult = toolResultOf(model.request(model.requests().size() - 1));
    assertThat(toolResult.get("is_error").asBoolean()).as("the model gets an error tool_result").isTrue();
    assertThat(toolResult.toString()).contains("is on cooldown");
    assertThat(actions.actions().list(t.id(), 10)).hasSize(1);

    // past the window (the Redis key would have expired by itself by then)
    clock.advance(Duration.ofMinutes(20));
    redis.sync().del(key);
    OpsRun third = cycleRestarting(t.id(), web.id());

    assertThat(actions(third).get(0).get("allowed").asBoolean()).isTrue();
    assertThat(actions.actions().list(t.id(), 10)).hasSize(2);
  }

  @Test
  void aRestartThePlatformRefusedKeepsItsWindowAndAnotherDeploymentHasAWindowOfItsOwn()
      throws Exception {
    var t = fx.tenant("kinds").workspace("production");
    Deployment web = fx.deployments.create(t.lastWorkspace(), "web", DeploymentStatus.FAILED, "1.0.0");
    t.workspace("other");
    Deployment api = fx.deployments.create(t.lastWorkspace(), "api", DeploymentStatus.FAILED, "1.0.0");
    platform.answer(409);
    OpsRun first = cycleRestarting(t.id(), web.id());
    OpsAction restarted = actions.actions().list(t.id(), 1).get(0);
    actions.handle(new DeploymentJob(ActionTools.SEND, t.id(), web.id(), Map.of("actionId", restarted.id())));
    assertThat(actions(first).get(0).get("allowed").asBoolean()).isTrue();
    assertThat(actions.actions().find(restarted.id()).orElseThrow().status()).isEqualTo(ActionStatus.FAILED);
    redis.sync().del(CooldownStore.cooldownKey(web.id(), RESTART));
    clock.advance(Duration.ofMinutes(5));

    assertThat(actions(cycleRestarting(t.id(), web.id())).get(0).get("reason").asText())
        .as("a restart the platform refused still holds its window").contains("is on cooldown");
    assertThat(actions(cycleRestarting(t.id(), api.id())).get(0).get("allowed").asBoolean())
        .as("another deployment has a window of its own").isTrue();
  }

  @Test
  void theInsertReChecksTheWindowSoTwoAdmissionsThatBothPassedTheGateQueueOneRestart() throws Exception {
    var t = fx.tenant("raced").workspace("production");
    Deployment web = fx.deployments.create(t.lastWorkspace(), "web", DeploymentStatus.FAILED, "1.0.0");
    OpsTools.Definition restart = actions.tools().get(0);
    JsonNode input = JSON.readTree("{\"deploymentId\":\"" + web.id() + "\",\"reason\":\"crashed\"}");

    // as two cycles would whose admissions both passed (a lost cycle lock): the insert re-checks
    restart.handler().execute(new OpsTools.CallContext(t.id(), Ids.newId(), "{}"), input);
    assertThatThrownBy(() -> restart.handler().execute(new OpsTools.CallContext(t.id(), Ids.newId(), "{}"), input))
        .hasMessage(RESTART + " of deployment " + web.id() + " is on cooldown for another 30m0s");

    assertThat(actions.actions().list(t.id(), 10)).hasSize(1);
  }

  // --- helpers

  private OpsRun cycleRestarting(String tenantId, String deploymentId) {
    model.then(model.toolUse(10, 5, RESTART,
        "{\"deploymentId\":\"" + deploymentId + "\",\"reason\":\"crashed, a restart should clear it\"}"));
    return agent.runOpsCycle(tenantId, Trigger.MANUAL);
  }

  /** The tool_result the model got in the last request of a cycle. */
  private static JsonNode toolResultOf(JsonNode request) {
    JsonNode messages = request.get("messages");
    JsonNode content = messages.get(messages.size() - 1).get("content");
    return StreamSupport.stream(content.spliterator(), false)
        .filter(b -> "tool_result".equals(b.path("type").asText())).findFirst().orElseThrow();
  }

  private static List<JsonNode> actions(OpsRun run) {
    try {
      return StreamSupport.stream(JSON.readTree(run.actionsJson()).spliterator(), false).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
