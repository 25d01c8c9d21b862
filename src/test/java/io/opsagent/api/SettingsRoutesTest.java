package io.opsagent.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.opsagent.Json;
import io.opsagent.agent.review.ReviewMemory;
import io.opsagent.api.routes.PlatformRoutes;
import io.opsagent.api.routes.SettingsRoutes;
import io.opsagent.platform.DeploymentRepository;
import io.opsagent.platform.TenantRepository;
import io.opsagent.platform.WorkspaceRepository;
import io.opsagent.support.TestDatabase;
import io.opsagent.trust.KillSwitch;
import io.opsagent.trust.Mode;
import io.opsagent.trust.TenantSettings;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The settings and kill-switch routes on a real database, wired as the worker wires them. */
class SettingsRoutesTest {
  static TestDatabase db;
  static ApiServer server;
  static ApiClient api;
  static KillSwitch killSwitch;

  @BeforeAll
  static void start() {
    db = TestDatabase.create(SettingsRoutesTest.class);
    var jdbi = db.database().jdbi();
    var json = Json.MAPPER;
    var tenants = new TenantRepository(jdbi, Clock.systemUTC());
    var settings = new TenantSettings(jdbi, Mode.DRY_RUN, Clock.systemUTC());
    killSwitch = new KillSwitch(jdbi, Clock.systemUTC());
    server = new ApiServer(TestApi.TOKEN, json, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
        List.of(), List.of(
            new PlatformRoutes(json, tenants, new WorkspaceRepository(jdbi, Clock.systemUTC()), new DeploymentRepository(jdbi, Clock.systemUTC()),
                (d, s) -> PlatformRoutes.Reaction.QUEUED, Clock.systemUTC()).onTenantCreated(settings::initialise),
            new SettingsRoutes(json, tenants, settings, killSwitch, new ReviewMemory(jdbi), 500_000)))
        .start(0);
    api = new ApiClient(server.port(), TestApi.TOKEN);
  }

  @AfterAll
  static void stop() {
    server.close();
    db.close();
  }

  @Test
  void aNewTenantStartsInTheDefaultModeAndItsSettingsChangeOneFieldAtATime() {
    String tenant = api.create("/api/tenants", "{\"name\": \"acme\"}");
    String path = "/api/tenants/" + tenant + "/ops/settings";

    var initial = api.get(path).json();
    assertThat(initial.get("mode").asText()).isEqualTo("dry-run");
    assertThat(initial.get("dailyTokenBudget").isNull()).isTrue();

    var budget = api.put(path, "{\"dailyTokenBudget\": 1000}");
    assertThat(budget.status()).isEqualTo(200);
    assertThat(budget.json().get("mode").asText()).isEqualTo("dry-run");
    assertThat(budget.json().get("dailyTokenBudget").asLong()).isEqualTo(1000);

    var live = api.put(path, "{\"mode\": \"live\"}").json();
    assertThat(live.get("mode").asText()).isEqualTo("live");
    assertThat(live.get("dailyTokenBudget").asLong()).isEqualTo(1000);

    var reset = api.put(path, "{\"dailyTokenBudget\": null}").json();
    assertThat(reset.get("dailyTokenBudget").isNull()).isTrue();
    assertThat(reset.get("effectiveDailyTokenBudget").asLong()).isEqualTo(500_000);
  }

  @Test
  void badSettingsAreRefusedWith400AndNothingIsStored() {
    String tenant = api.create("/api/tenants", "{\"name\": \"strict\"}");
    String path = "/api/tenants/" + tenant + "/ops/settings";
    for (String bad : List.of("{\"dailyTokenBudget\": -1}", "{\"dailyTokenBudget\": \"many\"}",
        "{\"dailyTokenBudget\": 1.5}", "{\"mode\": \"yolo\"}", "{\"mode\": \"live\", \"dailyTokenBudget\": -5}",
        "{\"colour\": \"red\"}")) {
      var r = api.put(path, bad);
      assertThat(r.status()).as(bad).isEqualTo(400);
      assertThat(r.json().get("error").asText()).as(bad).isNotBlank();
    }
    assertThat(api.get(path).json().get("mode").asText()).isEqualTo("dry-run");
    assertThat(api.get("/api/tenants/nope/ops/settings").status()).isEqualTo(404);
  }

  @Test
  void theKillSwitchIsEngagedWithAReasonAndReleased() {
    assertThat(api.get("/api/ops/kill-switch").json().get("engaged").asBoolean()).isFalse();

    var on = api.put("/api/ops/kill-switch", "{\"reason\": \"model misbehaving\"}");
    assertThat(on.status()).isEqualTo(200);
    assertThat(on.json().get("engaged").asBoolean()).isTrue();
    assertThat(on.json().get("reason").asText()).isEqualTo("model misbehaving");
    assertThat(on.json().get("since").asText()).isNotBlank();
    assertThat(killSwitch.engaged()).isTrue();

    var tooLong = api.put("/api/ops/kill-switch", "{\"reason\": \"" + "x".repeat(501) + "\"}");
    assertThat(tooLong.status()).isEqualTo(400);
    assertThat(api.get("/api/ops/kill-switch").json().get("reason").asText()).isEqualTo("model misbehaving");

    var off = api.delete("/api/ops/kill-switch");
    assertThat(off.json().get("engaged").asBoolean()).isFalse();
    assertThat(killSwitch.engaged()).isFalse();
  }
}
