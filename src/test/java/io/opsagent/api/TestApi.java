package io.opsagent.api;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.opsagent.Json;
import io.opsagent.agent.run.RunRepository;
import io.opsagent.api.routes.ChannelRoutes;
import io.opsagent.api.routes.PlatformRoutes;
import io.opsagent.api.routes.RunQueries;
import io.opsagent.api.routes.RunRoutes;
import io.opsagent.api.routes.TenantRoutes;
import io.opsagent.api.routes.TenantStatusQuery;
import io.opsagent.db.Database;
import io.opsagent.notify.NotificationChannelRepository;
import io.opsagent.notify.delivery.NotificationRepository;
import io.opsagent.platform.DeploymentRepository;
import io.opsagent.platform.TenantRepository;
import io.opsagent.platform.WorkspaceRepository;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/** The API's routes of this package on a real database, as the worker wires them, on a free port. */
final class TestApi implements AutoCloseable {
  static final String TOKEN = "test-token";
  static final Duration CIRCUIT_PAUSE = Duration.ofMinutes(30);

  final ApiServer server;
  final ApiClient api;

  private TestApi(Database db) {
    var jdbi = db.jdbi();
    var json = Json.MAPPER;
    var tenants = new TenantRepository(jdbi, Clock.systemUTC());
    var workspaces = new WorkspaceRepository(jdbi, Clock.systemUTC());
    this.server = new ApiServer(TOKEN, json, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
        List.of(new ApiServer.HealthCheck("database", db::isHealthy)),
        List.of(
            new PlatformRoutes(json, tenants, workspaces, new DeploymentRepository(jdbi, Clock.systemUTC()), (d, s) -> PlatformRoutes.Reaction.QUEUED, Clock.systemUTC()),
            new ChannelRoutes(json, tenants, workspaces, new NotificationChannelRepository(jdbi, false, Clock.systemUTC())),
            new RunRoutes(json, tenants, new RunRepository(jdbi, Clock.systemUTC()), new NotificationRepository(jdbi, Clock.systemUTC()),
                new RunQueries(jdbi)),
            new TenantRoutes(json, new TenantStatusQuery(jdbi, CIRCUIT_PAUSE,
                new io.opsagent.trust.TenantSettings(jdbi, io.opsagent.trust.Mode.LIVE, Clock.systemUTC())))))
        .start(0);
    this.api = new ApiClient(server.port(), TOKEN);
  }

  static TestApi start(Database db) {
    return new TestApi(db);
  }

  @Override
  public void close() {
    server.close();
  }
}
