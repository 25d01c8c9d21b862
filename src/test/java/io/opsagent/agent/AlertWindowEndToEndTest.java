package io.opsagent.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opsagent.agent.guard.CooldownStore;
import io.opsagent.agent.run.OpsRun;
import io.opsagent.agent.tools.OpsTools;
import io.opsagent.config.Config;
import io.opsagent.db.Ids;
import io.opsagent.notify.ChannelType;
import io.opsagent.notify.Delivery;
import io.opsagent.notify.DeliveryStatus;
import io.opsagent.notify.NotificationChannelRepository;
import io.opsagent.notify.TestReceiver;
import io.opsagent.notify.delivery.DeliveryNotifier;
import io.opsagent.notify.delivery.NotificationRepository;
import io.opsagent.platform.DeploymentStatus;
import io.opsagent.queue.schedule.Trigger;
import io.opsagent.support.FakeMessagesApi;
import io.opsagent.support.Fixtures;
import io.opsagent.support.SettableClock;
import io.opsagent.support.TcpProxy;
import io.opsagent.support.TestAgents;
import io.opsagent.support.TestDatabase;
import io.opsagent.support.TestRedis;
import io.opsagent.worker.Root;
import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.stream.StreamSupport;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The alert window under failure, with the loop as {@link Root#opsLoop} wires it, the real
 * notifier and a scripted model: only an alert that reached someone (or is still being retried)
 * holds its window, and the window does not depend on Redis.
 */
class AlertWindowEndToEndTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String TITLE = "api is FAILED";
  static TestDatabase db;
  static Jdbi jdbi;
  static Fixtures fx;
  static NotificationChannelRepository channels;
  static NotificationRepository deliveries;

  FakeMessagesApi api;
  DeliveryNotifier notifier;
  final List<AutoCloseable> closeAfter = new ArrayList<>();

  @BeforeAll
  static void setUpDatabase() {
    db = TestDatabase.create(AlertWindowEndToEndTest.class);
    jdbi = db.database().jdbi();
    fx = new Fixtures(db.database());
    channels = new NotificationChannelRepository(jdbi, true, Clock.systemUTC());
    deliveries = new NotificationRepository(jdbi, Clock.systemUTC());
  }

  @AfterAll
  static void tearDown() {
    db.close();
  }

  void start(String redisUrl) {
    api = FakeMessagesApi.start();
    notifier = new DeliveryNotifier(db.database(), channels, deliveries, config(redisUrl).notifications(), config(redisUrl).paging(), config(redisUrl).scheduling(),
        new SimpleMeterRegistry(), Clock.systemUTC());
    notifier.start();
  }

  @AfterEach
  void stop() throws Exception {
    notifier.close();
    for (AutoCloseable c : closeAfter) {
      c.close();
    }
    api.close();
  }

  Config config(String redisUrl) {
    Map<String, String> env = new HashMap<>();
    env.put("ANTHROPIC_API_KEY", "sk-ant-test-" + Ids.newId());
    env.put("ANTHROPIC_BASE_URL", api == null ? "http://127.0.0.1:9" : api.baseUrl());
    env.put("OPSAGENT_LLM_MAX_RETRIES", "0");
    env.put("OPSAGENT_REDIS_URL", redisUrl);
    env.put("OPSAGENT_ALERT_COOLDOWN", "PT1H");
    env.put("OPSAGENT_ALLOW_PRIVATE_WEBHOOKS", "true");
    env.put("OPSAGENT_POLL_INTERVAL", "PT0.1S");
    env.put("OPSAGENT_NOTIFY_BACKOFF", "PT0.05S");
    env.put("OPSAGENT_NOTIFY_MAX_ATTEMPTS", "3");
    return Config.fromEnv(env);
  }

  OpsAgent loop(String redisUrl) {
    Config config = config(redisUrl);
    CooldownStore store = CooldownStore.redis(config.cooldowns(), Duration.ofMillis(500));
    closeAfter.add(store::close);
    return TestAgents.builder(config, jdbi).notifier(notifier).cooldowns(store)
        .clock(SettableClock.startingNow()).build();
  }

  /** One cycle in which the model sends the alert, then says it is done. */
  OpsRun cycleAlerting(OpsAgent loop, String tenantId, String workspaceId) {
    api.then(api.toolUse(100, 10, OpsTools.SEND_ALERT, JSON.createObjectNode()
            .put("workspaceId", workspaceId).put("severity", "critical").put("title", TITLE)
            .put("body", "api has been FAILED since the last deploy").toString()))
        .then(api.text("Alerted.", 100, 10));
    return loop.runOpsCycle(tenantId, Trigger.MANUAL);
  }

  static List<JsonNode> actions(OpsRun run) {
    try {
      return StreamSupport.stream(JSON.readTree(run.actionsJson()).spliterator(), false).toList();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static JsonNode onlyAction(OpsRun run) {
    assertThat(actions(run)).hasSize(1);
    return actions(run).get(0);
  }

  List<Delivery> settled(String tenantId, int expected) {
    return await().atMost(Duration.ofSeconds(20)).until(() -> deliveries.listByTenant(tenantId, 100),
        list -> list.size() == expected && list.stream().noneMatch(d -> d.status() == DeliveryStatus.PENDING));
  }

  @Test
  void afterAnAlertFailedForGoodTheNextCyclesAlertWithTheSameTitleIsSent() throws IOException {
    start(TestRedis.URL);
    TestReceiver receiver = TestReceiver.answering(503, 503, 503);
    closeAfter.add(receiver);
    var t = fx.tenant("unreachable-receiver").workspace("prod");
    String ws = t.lastWorkspace().id();
    t.deploy("api", DeploymentStatus.FAILED, "2.0.0");
    channels.create(t.id(), ws, ChannelType.WEBHOOK, "oncall",
        JSON.createObjectNode().put("url", receiver.url("/oncall")));
    OpsAgent loop = loop(TestRedis.URL);
    CountDownLatch failedForGood = new CountDownLatch(1);
    notifier.onFailedForGood(d -> failedForGood.countDown());

    OpsRun first = cycleAlerting(loop, t.id(), ws);
    await().atMost(Duration.ofSeconds(20)).until(() -> failedForGood.getCount() == 0);
    assertThat(settled(t.id(), 1)).extracting(Delivery::status).containsExactly(DeliveryStatus.FAILED);

    OpsRun second = cycleAlerting(loop, t.id(), ws);

    assertThat(onlyAction(first).get("allowed").asBoolean()).isTrue();
    assertThat(onlyAction(second).get("allowed").asBoolean()).as("the alert is not refused as already sent").isTrue();
    assertThat(settled(t.id(), 2)).extracting(Delivery::status)
        .containsExactlyInAnyOrder(DeliveryStatus.FAILED, DeliveryStatus.DELIVERED);
    assertThat(receiver.successes()).isEqualTo(1);
  }

  @Test
  void anAlertThatMatchedNoChannelDoesNotSilenceTheNextOne() throws IOException {
    start(TestRedis.URL);
    TestReceiver receiver = TestReceiver.answering();
    closeAfter.add(receiver);
    var t = fx.tenant("no-channel-yet").workspace("prod");
    String ws = t.lastWorkspace().id();
    OpsAgent loop = loop(TestRedis.URL);

    OpsRun first = cycleAlerting(loop, t.id(), ws);
    channels.create(t.id(), ws, ChannelType.WEBHOOK, "oncall",
        JSON.createObjectNode().put("url", receiver.url("/oncall")));
    OpsRun second = cycleAlerting(loop, t.id(), ws);

    assertThat(onlyAction(first).get("result").asText()).contains("no enabled notification channel");
    assertThat(onlyAction(second).get("allowed").asBoolean()).isTrue();
    assertThat(settled(t.id(), 1)).extracting(Delivery::status).containsExactly(DeliveryStatus.DELIVERED);
    assertThat(receiver.requests()).hasSize(1);
  }

  @Test
  void withRedisCutBetweenCyclesTheSameAlertIsStillSentOnlyOnce() throws IOException {
    URI redis = URI.create(TestRedis.URL);
    TcpProxy proxy = new TcpProxy(redis.getHost(), redis.getPort()).start();
    closeAfter.add(proxy);
    String viaProxy = "redis://127.0.0.1:" + proxy.port() + redis.getPath();
    start(viaProxy);
    TestReceiver receiver = TestReceiver.answering();
    closeAfter.add(receiver);
    var t = fx.tenant("redis-outage").workspace("prod");
    String ws = t.lastWorkspace().id();
    channels.create(t.id(), ws, ChannelType.WEBHOOK, "oncall",
        JSON.createObjectNode().put("url", receiver.url("/oncall")));
    OpsAgent loop = loop(viaProxy);

    OpsRun first = cycleAlerting(loop, t.id(), ws);
    proxy.cut();
    OpsRun second = cycleAlerting(loop, t.id(), ws);
    OpsRun third = cycleAlerting(loop, t.id(), ws);

    assertThat(onlyAction(first).get("allowed").asBoolean()).isTrue();
    for (OpsRun run : List.of(second, third)) {
      assertThat(onlyAction(run).get("allowed").asBoolean()).isFalse();
      assertThat(onlyAction(run).get("reason").asText()).contains("already sent");
    }
    assertThat(settled(t.id(), 1)).extracting(Delivery::status).containsExactly(DeliveryStatus.DELIVERED);
    assertThat(receiver.requests()).hasSize(1);
  }
}
