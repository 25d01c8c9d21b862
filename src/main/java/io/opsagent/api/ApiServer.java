package io.opsagent.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.http.HttpResponseException;
import io.javalin.json.JavalinJackson;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.jetty.JettyConnectionMetrics;
import io.micrometer.core.instrument.binder.jetty.JettyServerThreadPoolMetrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.opsagent.api.auth.Access;
import io.opsagent.api.openapi.OpenApi;
import io.opsagent.api.openapi.SwaggerUi;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.eclipse.jetty.server.Server;
import org.jdbi.v3.core.ConnectionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP API, on Javalin. Everything under {@code /api/} needs a bearer key, the bootstrap token
 * or a scoped key, and the route's role ({@link Access}); {@code /health}, {@code /health/live}, {@code /health/ready}, {@code /metrics},
 * {@code /openapi.json} (the OpenAPI 3
 * description of every route, made from the route table by {@link OpenApi}) and {@code /openapi} (Swagger UI,
 * served from this host) are open. Every error is JSON
 * {@code {"error": "..."}} (see {@link ApiErrors}): 400 for bad input, 404 for unknown routes and
 * objects and for objects of another tenant alike, 405, 413, and 503 while the database cannot be
 * reached.
 *
 * <p>Health: {@code /health/live} answers 200 whenever the process serves HTTP, asking no
 * dependency (the liveness probe); {@code /health/ready} (and {@code /health}, the same answer) runs
 * every check: 503 when a required one (the database) fails, 200 otherwise, with an optional one
 * (Redis) that fails shown {@code degraded} (the readiness probe).
 *
 * <p>The health check named {@code database} also guards the API: a watch asks it every
 * {@value #DATABASE_WATCH_MS} ms (it answers within about a second), and once it, a request or
 * {@code /health} found the database unreachable, each request first asks that check and gets 503
 * at once while it says "down", instead of waiting for the pool's connection timeout (10 s). So an
 * outage is answered with 503 from at most 1.5 s after its start, without anyone calling
 * {@code /health} first.
 */
public final class ApiServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ApiServer.class);
  /** How often the database watch asks the {@code database} health check. */
  static final long DATABASE_WATCH_MS = 500;

  private final Javalin app;
  private final List<String> registered = new java.util.concurrent.CopyOnWriteArrayList<>();
  private volatile boolean databaseSuspect;
  private final BooleanSupplier database;
  private final ScheduledExecutorService watch =
      Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "api-database-watch");
        t.setDaemon(true);
        return t;
      });
  private final PrometheusMeterRegistry metrics;
  private final List<ApiRoute> table;
  private final String openApi;

  /**
   * Something that can say whether a dependency answers ({@code /health}, {@code /health/ready}).
   * A {@code required} one failing makes the worker not ready (503); an optional one failing only
   * degrades it (200, the check shown {@code degraded}): the worker still does its work without it.
   */
  public record HealthCheck(String name, BooleanSupplier healthy, boolean required) {
    /** A required check. */
    public HealthCheck(String name, BooleanSupplier healthy) {
      this(name, healthy, true);
    }

    /** A check whose failure degrades the worker without making it unready. */
    public static HealthCheck optional(String name, BooleanSupplier healthy) {
      return new HealthCheck(name, healthy, false);
    }
  }

  public ApiServer(String apiToken, ObjectMapper json, PrometheusMeterRegistry metrics,
      List<HealthCheck> healthChecks, List<Routes> routes) {
    this(Access.tokenOnly(apiToken), json, metrics, healthChecks, routes);
  }

  /** {@code access}: who may call which route ({@link Access}, installed before every route). */
  public ApiServer(Access access, ObjectMapper json, PrometheusMeterRegistry metrics,
      List<HealthCheck> healthChecks, List<Routes> routes) {
    this.app = Javalin.create(cfg -> {
      cfg.showJavalinBanner = false;
      cfg.useVirtualThreads = false;
      cfg.jsonMapper(new JavalinJackson(json, false));
      cfg.http.prefer405over404 = true;
      cfg.events.handlerAdded(h -> {
        if (h.getHttpMethod().isHttpMethod()) {
          registered.add(h.getHttpMethod().name() + " " + h.getPath());
        }
      });
      cfg.http.maxRequestSize = JsonBody.MAX_BYTES;
      cfg.jetty.modifyServer(server -> server.setErrorHandler(new ApiErrors.JsonErrorHandler()));
      // Jetty caches header lines per connection, matched case-insensitively by default: a token
      // differing only in case would be read as the one cached from an earlier request.
      cfg.jetty.modifyHttpConfiguration(http -> http.setHeaderCacheCaseSensitive(true));
    });
    this.metrics = metrics;
    BooleanSupplier database = healthChecks.stream().filter(c -> c.name().equals("database"))
        .map(HealthCheck::healthy).findFirst().orElse(() -> true);
    this.database = database;
    access.install(app);
    app.before("/api/*", ctx -> {
      if (databaseSuspect) {
        databaseSuspect = !database.getAsBoolean();
        if (databaseSuspect) {
          throw new ApiException(503, ApiErrors.DATABASE_UNAVAILABLE);
        }
      }
    });
    app.exception(ApiException.class, (e, ctx) -> ApiErrors.write(ctx, e.status(), e.getMessage()));
    app.exception(HttpResponseException.class,
        (e, ctx) -> ApiErrors.write(ctx, e.getStatus(), ApiErrors.forStatus(e.getStatus(), ctx)));
    app.exception(IllegalArgumentException.class, (e, ctx) -> ApiErrors.write(ctx, 400, e.getMessage()));
    app.exception(Exception.class, (e, ctx) -> {
      if (ApiErrors.isDatabaseUnavailable(e) || e instanceof ConnectionException) {
        databaseSuspect = true;
        log.warn("database unavailable method={} path={} error={}", ctx.method(), ctx.path(), e.toString());
        ApiErrors.write(ctx, 503, ApiErrors.DATABASE_UNAVAILABLE);
      } else if (ApiErrors.isUnstorableText(e)) {
        ApiErrors.write(ctx, 400, "the request holds characters that cannot be stored");
      } else {
        log.error("request failed method={} path={}", ctx.method(), ctx.path(), e);
        ApiErrors.write(ctx, 500, "internal error");
      }
    });
    app.error(404, ctx -> {
      if (ctx.result() == null) {
        ApiErrors.write(ctx, 404, ApiErrors.forStatus(404, ctx));
      }
    });
    io.javalin.http.Handler readiness = ctx -> {
      Map<String, String> status = new java.util.LinkedHashMap<>();
      boolean ready = true;
      boolean degraded = false;
      for (HealthCheck check : healthChecks) {
        boolean up = check.healthy().getAsBoolean();
        status.put(check.name(), up ? "up" : check.required() ? "down" : "degraded");
        ready &= up || !check.required();
        degraded |= !up && !check.required();
        if (check.name().equals("database")) {
          databaseSuspect = !up;
        }
      }
      ctx.status(ready ? 200 : 503).json(new Health(!ready ? "down" : degraded ? "degraded" : "up", status));
    };
    List<ApiRoute> table = new java.util.ArrayList<>(List.of(
        ApiRoute.of("GET /health", "Readiness, as /health/ready (kept for existing monitors); no auth", readiness)
            .answers(200, "up or degraded", Health.class).answers(503, "down", Health.class),
        // liveness asks no dependency: a worker cut off from its database is alive, and restarting it
        // would not bring the database back
        ApiRoute.of("GET /health/live", "Liveness: 200 while the process serves HTTP, no dependency asked; no auth",
            ctx -> ctx.json(new Liveness("up"))).answers(200, "alive", Liveness.class),
        ApiRoute.of("GET /health/ready", "Readiness: 503 while the database does not answer; 200 otherwise,"
            + " Redis down shown as degraded; no auth", readiness)
            .answers(200, "up or degraded", Health.class).answers(503, "down", Health.class),
        ApiRoute.of("GET /metrics", "Prometheus metrics; no auth", ctx -> ctx
            .contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.scrape()))
            .text(200, "text format 0.0.4", "text/plain"),
        ApiRoute.of("GET /openapi.json", "This document; no auth",
            ctx -> ctx.contentType("application/json").result(openApiJson())).text(200, "OpenAPI 3", "application/json")));
    table.addAll(new SwaggerUi().routes());
    routes.forEach(r -> table.addAll(r.routes()));
    // each route's roles as the access table says (described as x-access-roles)
    this.table = table.stream().map(r -> r.roles(access.policy().rolesFor(r.method().name(), r.path()).stream()
        .map(io.opsagent.api.auth.Role::wire).sorted().toArray(String[]::new))).toList();
    this.openApi = OpenApi.json(version(), this.table);
    for (ApiRoute route : this.table) {
      if (route.handler() != null) {
        app.addHttpHandler(route.method(), route.path(), route.handler());
      }
    }
    routes.forEach(r -> r.register(app));
  }

  /** The readiness answer: {@code up}, {@code degraded} or {@code down}, and each check's state. */
  record Health(String status, Map<String, String> checks) {}

  /** The liveness answer: always {@code up}. */
  record Liveness(String status) {}

  private String openApiJson() {
    return openApi;
  }

  private static String version() {
    String v = ApiServer.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }

  /** Every route registered on the server, as {@code "GET /path"}, in registration order. */
  public List<String> routes() {
    return List.copyOf(registered);
  }

  /** Every route of the table (served and described), in registration order. */
  public List<ApiRoute> table() {
    return table;
  }

  /** A group of routes: its entries of the route table, and whatever else it registers itself. */
  public interface Routes {
    /** Served by the server and described in {@code /openapi.json} alike. */
    default List<ApiRoute> routes() {
      return List.of();
    }

    /** Handlers outside the table (before-handlers, routes described by another group). */
    default void register(Javalin app) {}
  }

  /** Starts listening on {@code port} on all interfaces (0 = any free port). */
  public ApiServer start(int port) {
    return start("0.0.0.0", port);
  }

  /** Starts listening on {@code port} (0 = any free port) of the address {@code host}. */
  public ApiServer start(String host, int port) {
    app.start(host, port);
    watch.scheduleWithFixedDelay(this::watchDatabase, DATABASE_WATCH_MS, DATABASE_WATCH_MS, TimeUnit.MILLISECONDS);
    // Jetty's own metrics (jetty_threads_*, jetty_connections_*), bound once the server exists
    Server server = app.jettyServer().server();
    new JettyServerThreadPoolMetrics(server.getThreadPool(), Tags.empty()).bindTo(metrics);
    JettyConnectionMetrics.addToAllConnectors(server, metrics);
    log.info("http api listening bind={} port={}", host, app.port());
    return this;
  }

  public int port() {
    return app.port();
  }

  private void watchDatabase() {
    try {
      boolean down = !database.getAsBoolean();
      if (down != databaseSuspect) {
        log.info("database watch status={}", down ? "down" : "up");
      }
      databaseSuspect = down;
    } catch (RuntimeException e) {
      log.warn("database watch failed error={}", e.toString()); // keeps running
    }
  }

  @Override
  public void close() {
    watch.shutdownNow();
    app.stop();
  }
}
