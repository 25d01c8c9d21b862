package io.opsagent.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.anthropic.bedrock.backends.BedrockBackend;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.opsagent.agent.guard.CooldownStore;
import io.opsagent.agent.llm.AnthropicModelClient;
import io.opsagent.agent.run.OpsRun;
import io.opsagent.agent.run.RunStatus;
import io.opsagent.queue.schedule.Trigger;
import io.opsagent.config.Config;
import io.opsagent.notify.DeliveryStatus;
import io.opsagent.notify.TestReceiver;
import io.opsagent.platform.DeploymentStatus;
import io.opsagent.support.FakeMessagesApi;
import io.opsagent.support.Fixtures;
import io.opsagent.support.TestAgents;
import io.opsagent.support.TestDatabase;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.regions.Region;

/**
 * {@code OPSAGENT_MODEL_PROVIDER=bedrock}: whole cycles against a local fake of Bedrock's
 * {@code /model/{id}/invoke}, with stub AWS credentials and the endpoint overridden.
 */
class BedrockProviderTest {
  static final String MODEL = "us.anthropic.claude-sonnet-4-5-20250929-v1:0";
  static final String SECRET = "stub-secret-access-key-never-sent";
  static final ObjectMapper JSON = new ObjectMapper();
  static TestDatabase db;
  static Fixtures fx;

  FakeMessagesApi api;
  RealNotifier notify;
  TestReceiver receiver;

  @BeforeAll
  static void createDatabase() {
    db = TestDatabase.create(BedrockProviderTest.class);
    fx = new Fixtures(db.database());
  }

  @AfterAll
  static void dropDatabase() {
    db.close();
  }

  @BeforeEach
  void start() throws Exception {
    api = FakeMessagesApi.start();
    notify = new RealNotifier(db.database());
    receiver = TestReceiver.answering();
  }

  @AfterEach
  void stop() {
    notify.close();
    receiver.close();
    api.close();
  }

  OpsAgent agent(int maxRetries) {
    Config config = Config.fromEnv(Map.of("OPSAGENT_MODEL_PROVIDER", "bedrock", "OPSAGENT_MODEL", MODEL,
        "OPSAGENT_MODEL_BASE_URL", api.baseUrl(), "OPSAGENT_MODEL_PRICES", MODEL + "=3/15/3.75/0.30"));
    BedrockBackend backend = BedrockBackend.builder()
        .awsCredentials(AwsBasicCredentials.create("AKIDSTUBSTUBSTUB", SECRET))
        .region(Region.US_EAST_1)
        .baseUrl(config.llm().baseUrl())
        .build();
    return TestAgents.builder(config, db.database().jdbi()).notifier(notify.notifier)
        .model(new AnthropicModelClient(backend, config.llm().model(), Duration.ofSeconds(10), maxRetries))
        .cooldowns(CooldownStore.inMemory(config.cooldowns(), Clock.systemUTC())).build();
  }

  @Test
  void theModelAsksForSendAlertThroughSignedInvokeCallsAndTheAlertIsDelivered() throws Exception {
    var t = fx.tenant("bedrock-alert").workspace("web");
    t.deploy("api", DeploymentStatus.FAILED, "2.1.0");
    String ws = t.lastWorkspace().id();
    notify.webhook(t.id(), ws, "web-hook", receiver.url("/web"), null);
    api.then(api.toolUse(1500, 80, "sendAlert", """
            {"workspaceId": "%s", "severity": "critical", "title": "api is FAILED",
             "body": "Deployment api (2.1.0) failed; roll back."}""".formatted(ws)))
        .then(api.text("Sent one critical alert about api.", 1700, 30, 1200, 300));

    OpsRun run;
    try (OpsAgent agent = agent(0)) {
      run = agent.runOpsCycle(t.id(), Trigger.SCHEDULE);
    }

    assertThat(run.status()).isEqualTo(RunStatus.COMPLETED);
    assertThat(run.model()).isEqualTo(MODEL);
    assertThat(notify.settled(t.id())).singleElement()
        .satisfies(d -> assertThat(d.status()).isEqualTo(DeliveryStatus.DELIVERED));
    assertThat(receiver.requests()).hasSize(1);
    assertThat(run.inputTokens()).isEqualTo(3200);
    assertThat(run.cacheReadTokens()).isEqualTo(1200);
    assertThat(run.cacheWriteTokens()).isEqualTo(300);
    assertThat(run.costUsd()).isNotNull();

    // Bedrock's shape: the model in the path, not the body, and the Bedrock API version in the body
    assertThat(api.paths()).containsOnly("/model/" + MODEL + "/invoke");
    JsonNode first = api.request(0);
    assertThat(first.has("model")).isFalse();
    assertThat(first.path("anthropic_version").asText()).isNotBlank();
    assertThat(api.authorizations()).allSatisfy(a -> assertThat(a)
        .startsWith("AWS4-HMAC-SHA256 Credential=AKIDSTUBSTUBSTUB/").contains("/us-east-1/bedrock/")
        .doesNotContain(SECRET));
    JsonNode result = api.request(1).get("messages").get(2).get("content").get(0);
    assertThat(result.get("type").asText()).isEqualTo("tool_result");
  }

  @Test
  void aServerAnswering500IsRetriedThenTheRunFailsWithTheReason() {
    var t = fx.tenant("bedrock-down").workspace("web").deployment("api", DeploymentStatus.FAILED);
    api.otherwise(FakeMessagesApi.error(500, "api_error", "Internal server error"));

    try (OpsAgent agent = agent(2)) {
      OpsRun run = agent.runOpsCycle(t.id(), Trigger.SCHEDULE);

      assertThat(api.requests()).hasSize(3);
      assertThat(run.status()).isEqualTo(RunStatus.FAILED);
      assertThat(run.error()).contains("HTTP 500").doesNotContain(SECRET);
    }
  }

  @Test
  void aMalformedAnswerFailsTheRunWithNothingDelivered() throws Exception {
    var t = fx.tenant("bedrock-malformed").workspace("web");
    t.deploy("api", DeploymentStatus.FAILED, "2.1.0");
    notify.webhook(t.id(), t.lastWorkspace().id(), "web-hook", receiver.url("/web"), null);
    api.then(new FakeMessagesApi.Reply(200, "{\"id\":\"msg_1\",\"type\":\"message\",\"content\":"));

    OpsRun run;
    try (OpsAgent agent = agent(0)) {
      run = agent.runOpsCycle(t.id(), Trigger.SCHEDULE);
    }

    assertThat(run.status()).isEqualTo(RunStatus.FAILED);
    assertThat(run.error()).contains("Error reading response");
    assertThat(JSON.readTree(run.actionsJson())).isEmpty();
    assertThat(api.requests()).hasSize(1);
    // only the deterministic fallback page of a failed cycle: nothing the model half-sent
    assertThat(notify.deliveries.listByTenant(t.id(), 10)).allSatisfy(d -> assertThat(d.by()).isEqualTo("code"));
  }
}
