package io.opsagent.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.opsagent.Json;
import io.opsagent.agent.run.RunOutcome;
import io.opsagent.agent.run.RunRepository;
import io.opsagent.agent.run.RunStatus;
import io.opsagent.agent.run.TokenUsage;
import io.opsagent.api.routes.ChannelRoutes;
import io.opsagent.api.routes.PlatformRoutes;
import io.opsagent.api.routes.RunQueries;
import io.opsagent.api.routes.RunRoutes;
import io.opsagent.db.Times;
import io.opsagent.notify.NotificationChannelRepository;
import io.opsagent.notify.delivery.NotificationRepository;
import io.opsagent.platform.DeploymentRepository;
import io.opsagent.platform.DeploymentStatus;
import io.opsagent.platform.TenantRepository;
import io.opsagent.platform.WorkspaceRepository;
import io.opsagent.queue.schedule.Trigger;
import io.opsagent.support.TestDatabase;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ApiRoutesTest {
  static TestDatabase db;
  static ApiServer server;
  static ApiClient api;
  static DeploymentRepository deployments;
  static RunRepository runs;
  static final List<String> statusChanges = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void start() {
    db = TestDatabase.create(ApiRoutesTest.class);
    var jdbi = db.database().jdbi();
    deployments = new DeploymentRepository(jdbi, Clock.systemUTC());
    var routes = new PlatformRoutes(Json.MAPPER, new TenantRepository(jdbi, Clock.systemUTC()),
        new WorkspaceRepository(jdbi, Clock.systemUTC()), deployments,
        (d, status) -> {
          statusChanges.add(d.id() + "→" + status);
          return PlatformRoutes.Reaction.QUEUED;
        }, Clock.systemUTC());
    var tenants = new TenantRepository(jdbi, Clock.systemUTC());
    var channelRoutes = new ChannelRoutes(Json.MAPPER, tenants, new WorkspaceRepository(jdbi, Clock.systemUTC()),
        new NotificationChannelRepository(jdbi, false, Clock.systemUTC()));
    runs = new RunRepository(jdbi, Clock.systemUTC());
    var runRoutes = new RunRoutes(Json.MAPPER, tenants, runs, new NotificationRepository(jdbi, Clock.systemUTC()),
        new RunQueries(jdbi));
    server = new ApiServer("secret-token", Json.MAPPER,
        new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
        List.of(new ApiServer.HealthCheck("database", db.database()::isHealthy)),
        List.of(routes, channelRoutes, runRoutes))
        .start(0);
    api = new ApiClient(server.port(), "secret-token");
  }

  @AfterAll
  static void stop() {
    server.close();
    db.close();
  }

  @Test
  void requestsWithoutOrWithAWrongTokenAreRefusedWith401() {
    assertThat(api.postWithToken("/api/tenants", "{\"name\":\"x\"}", null).status()).isEqualTo(401);
    assertThat(api.postWithToken("/api/tenants", "{\"name\":\"x\"}", "secret-tokeN").status()).isEqualTo(401);
    assertThat(api.postWithToken("/api/tenants", "{\"name\":\"x\"}", "secret-token").status()).isEqualTo(201);
  }

  @Test
  void healthAndMetricsNeedNoToken() {
    ApiClient anonymous = new ApiClient(server.port(), null);
    assertThat(anonymous.get("/health").status()).isEqualTo(200);
    assertThat(anonymous.get("/health/live").status()).isEqualTo(200);
    assertThat(anonymous.get("/health/ready").status()).isEqualTo(200);
    assertThat(anonymous.get("/metrics").status()).isEqualTo(200);
  }

  @Test
  void aTenantWorkspaceAndDeploymentAreCreatedWithTheContractsShapes() {
    String tenant = api.create("/api/tenants", "{\"name\":\"acme\"}");
    var ws = api.post("/api/tenants/" + tenant + "/workspaces", "{\"name\":\"web\"}");
    assertThat(ws.status()).isEqualTo(201);
    assertThat(ws.json().get("tenantId").asText()).isEqualTo(tenant);
    String workspace = ws.json().get("id").asText();

    var dep = api.post("/api/workspaces/" + workspace + "/deployments", "{\"name\":\"api\",\"version\":\"1.2\"}");

    assertThat(dep.status()).isEqualTo(201);
    assertThat(dep.json().get("status").asText()).isEqualTo("RUNNING");
    assertThat(dep.json().get("workspaceId").asText()).isEqualTo(workspace);
    assertThat(statusChanges).contains(dep.json().get("id").asText() + "→RUNNING");
  }

  @Test
  void anEventWithAStatusMovesTheDeploymentAndTellsTheAgent() {
    String tenant = api.create("/api/tenants", "{\"name\":\"ev\"}");
    String ws = api.create("/api/tenants/" + tenant + "/workspaces", "{\"name\":\"w\"}");
    String dep = api.create("/api/workspaces/" + ws + "/deployments", "{\"name\":\"db\"}");

    var r = api.post("/api/deployments/" + dep + "/events",
        "{\"type\":\"crash\",\"message\":\"OOMKilled\",\"status\":\"FAILED\"}");

    assertThat(r.status()).isEqualTo(201);
    assertThat(deployments.find(dep).orElseThrow().status()).isEqualTo(DeploymentStatus.FAILED);
    assertThat(statusChanges).contains(dep + "→FAILED");
  }

  @Test
  void badBodiesGet400WithAMessage() {
    String tenant = api.create("/api/tenants", "{\"name\":\"bad\"}");
    String ws = api.create("/api/tenants/" + tenant + "/workspaces", "{\"name\":\"w\"}");

    var malformed = api.post("/api/tenants", "{\"name\": ");
    var missing = api.post("/api/tenants/" + tenant + "/workspaces", "{}");
    var unknownStatus = api.post("/api/workspaces/" + ws + "/deployments", "{\"name\":\"x\",\"status\":\"ON_FIRE\"}");
    var notAnObject = api.post("/api/tenants", "[1,2]");
    var wrongType = api.post("/api/tenants", "{\"name\": 42}");

    assertThat(List.of(malformed, missing, unknownStatus, notAnObject, wrongType))
        .allSatisfy(r -> assertThat(r.status()).isEqualTo(400));
    assertThat(malformed.json().get("error").asText()).contains("malformed JSON");
    assertThat(missing.json().get("error").asText()).contains("'name' is required");
    assertThat(unknownStatus.json().get("error").asText()).contains("ON_FIRE").contains("RUNNING");
  }

  @Test
  void unknownObjectsAre404() {
    assertThat(api.post("/api/tenants/nope/workspaces", "{\"name\":\"w\"}").status()).isEqualTo(404);
    assertThat(api.post("/api/workspaces/nope/deployments", "{\"name\":\"d\"}").status()).isEqualTo(404);
    var r = api.post("/api/deployments/nope/events", "{\"type\":\"x\"}");
    assertThat(r.status()).isEqualTo(404);
    assertThat(r.json().get("error").asText()).isEqualTo("deployment not found");
  }

  @Test
  void aChannelIsCreatedWithoutEchoingItsSecrets() {
    String tenant = api.create("/api/tenants", "{\"name\":\"ch\"}");
    String ws = api.create("/api/tenants/" + tenant + "/workspaces", "{\"name\":\"w\"}");

    var r = api.post("/api/tenants/" + tenant + "/notification-channels",
        "{\"type\":\"webhook\",\"name\":\"ops\",\"workspaceId\":\"" + ws + "\","
            + "\"config\":{\"url\":\"https://93.184.216.34/T0K3N\",\"secret\":\"s3cr3t\"}}");
    var listed = api.get("/api/tenants/" + tenant + "/notification-channels");

    assertThat(r.status()).isEqualTo(201);
    assertThat(r.json().get("type").asText()).isEqualTo("webhook");
    assertThat(r.json().get("workspaceId").asText()).isEqualTo(ws);
    assertThat(r.body() + listed.body()).doesNotContain("T0K3N", "s3cr3t", "93.184.216.34");
    assertThat(listed.json()).hasSize(1);
  }

  @Test
  void channelsAreCheckedAndScopedToTheTenant() {
    String a = api.create("/api/tenants", "{\"name\":\"a\"}");
    String b = api.create("/api/tenants", "{\"name\":\"b\"}");
    String wsOfB = api.create("/api/tenants/" + b + "/workspaces", "{\"name\":\"w\"}");

    var otherTenantsWorkspace = api.post("/api/tenants/" + a + "/notification-channels",
        "{\"type\":\"slack\",\"name\":\"x\",\"workspaceId\":\"" + wsOfB + "\","
            + "\"config\":{\"url\":\"https://hooks.slack.com/services/x\"}}");
    var privateUrl = api.post("/api/tenants/" + a + "/notification-channels",
        "{\"type\":\"webhook\",\"name\":\"x\",\"config\":{\"url\":\"http://169.254.169.254/latest\"}}");
    var unknownType = api.post("/api/tenants/" + a + "/notification-channels",
        "{\"type\":\"pager\",\"name\":\"x\",\"config\":{}}");
    var noConfig = api.post("/api/tenants/" + a + "/notification-channels",
        "{\"type\":\"email\",\"name\":\"x\"}");

    assertThat(otherTenantsWorkspace.status()).isEqualTo(404);
    assertThat(privateUrl.status()).isEqualTo(400);
    assertThat(unknownType.status()).isEqualTo(400);
    assertThat(noConfig.status()).isEqualTo(400);
  }

  @Test
  void runsAreListedNewestFirstInCamelCaseWithTheirActions() {
    String tenant = api.create("/api/tenants", "{\"name\":\"runs\"}");
    var older = runs.start(tenant, Trigger.SCHEDULE);
    runs.finish(older.id(), new RunOutcome(RunStatus.COMPLETED, "all clear", "[]", new TokenUsage(100, 20, 0, 0), 1, "rules", null, null, null));
    org.awaitility.Awaitility.await().until(() -> io.opsagent.db.Times.current(Clock.systemUTC()).isAfter(older.startedAt()));
    var newer = runs.start(tenant, Trigger.MANUAL);
    runs.finish(newer.id(), new RunOutcome(RunStatus.COMPLETED, "alerted", "[{\"name\":\"sendAlert\",\"allowed\":true}]", new TokenUsage(300, 40, 0, 0), 2, "rules", null, null, null));

    var r = api.get("/api/tenants/" + tenant + "/ops/runs?limit=5");

    assertThat(r.status()).isEqualTo(200);
    assertThat(r.json()).hasSize(2);
    var first = r.json().get(0);
    assertThat(first.get("id").asText()).isEqualTo(newer.id());
    assertThat(first.get("status").asText()).isEqualTo("completed");
    assertThat(first.get("trigger").asText()).isEqualTo("manual");
    assertThat(first.get("inputTokens").asLong()).isEqualTo(300);
    assertThat(first.get("actionsJson").get(0).get("name").asText()).isEqualTo("sendAlert");
    for (String bad : new String[] {"0", "-1", "abc", "1.5", "99999999999", "201"}) {
      var refused = api.get("/api/tenants/" + tenant + "/ops/runs?limit=" + bad);
      assertThat(refused.status()).as("limit=" + bad).isEqualTo(400);
      assertThat(refused.json().get("error").asText()).as("limit=" + bad)
          .isEqualTo("limit must be an integer between 1 and 200");
    }
    assertThat(api.get("/api/tenants/" + tenant + "/ops/runs?limit=").json().get("error").asText())
        .isEqualTo("query parameter 'limit' must not be empty");
    assertThat(api.get("/api/tenants/" + tenant + "/ops/runs?limit=1").json()).hasSize(1);
    assertThat(api.get("/api/tenants/nope/ops/runs").status()).isEqualTo(404);
  }
}
