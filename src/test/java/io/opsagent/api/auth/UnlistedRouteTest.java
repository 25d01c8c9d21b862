package io.opsagent.api.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.javalin.Javalin;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.opsagent.Json;
import io.opsagent.api.ApiClient;
import io.opsagent.api.ApiServer;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Deny by default: a route the access table does not list is refused to every key, the admin's too. */
class UnlistedRouteTest {
  @Test
  void aRouteMissingFromTheAccessTableIs403EvenForTheBootstrapAdmin() {
    ApiServer.Routes unlisted = new ApiServer.Routes() {
      @Override
      public void register(Javalin app) {
        app.get("/api/tenants/{tenantId}/secrets", ctx -> ctx.result("leaked"));
        app.get("/debug/dump", ctx -> ctx.result("leaked"));
      }
    };
    try (ApiServer server = new ApiServer("admin-token", Json.MAPPER,
        new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), List.of(), List.of(unlisted)).start("127.0.0.1", 0)) {
      ApiClient admin = new ApiClient(server.port(), "admin-token");
      ApiClient anonymous = new ApiClient(server.port(), null);

      var secrets = admin.get("/api/tenants/t1/secrets");
      assertThat(secrets.status()).isEqualTo(403);
      assertThat(secrets.body()).doesNotContain("leaked").contains("not open to any key");
      assertThat(anonymous.get("/api/tenants/t1/secrets").status()).isEqualTo(401);
      assertThat(anonymous.get("/debug/dump").status()).isEqualTo(403);
      assertThat(anonymous.get("/health/live").status()).isEqualTo(200);
    }
  }
}
