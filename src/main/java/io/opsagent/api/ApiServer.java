package io.opsagent.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.json.JavalinJackson;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP API of {@code shared/CONTRACT.md}, on Javalin. Everything under {@code /api/} needs the
 * bearer token (compared in constant time); {@code /health} and {@code /metrics} are open. Errors are
 * JSON {@code {"error": "..."}}: 400 for bad bodies, 404 for unknown objects and for objects of
 * another tenant alike, 409 for a cycle already running.
 */
public final class ApiServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ApiServer.class);

  private final Javalin app;

  /** Something that can say whether a dependency answers ({@code /health}). */
  public record HealthCheck(String name, BooleanSupplier healthy) {}

  public ApiServer(String apiToken, ObjectMapper json, PrometheusMeterRegistry metrics,
      List<HealthCheck> healthChecks, List<Routes> routes) {
    byte[] expected = ("Bearer " + apiToken).getBytes(StandardCharsets.UTF_8);
    this.app = Javalin.create(cfg -> {
      cfg.showJavalinBanner = false;
      cfg.useVirtualThreads = false;
      cfg.jsonMapper(new JavalinJackson(json, false));
      // Jetty caches header lines per connection, matched case-insensitively by default: a token
      // differing only in case would be read as the one cached from an earlier request.
      cfg.jetty.modifyHttpConfiguration(http -> http.setHeaderCacheCaseSensitive(true));
    });
    app.before("/api/*", ctx -> {
      String header = ctx.header("Authorization");
      byte[] given = header == null ? new byte[0] : header.getBytes(StandardCharsets.UTF_8);
      if (!MessageDigest.isEqual(given, expected)) {
        throw new ApiException(401, "missing or wrong bearer token");
      }
    });
    app.exception(ApiException.class, (e, ctx) -> error(ctx, e.status(), e.getMessage()));
    app.exception(IllegalArgumentException.class, (e, ctx) -> error(ctx, 400, e.getMessage()));
    app.exception(Exception.class, (e, ctx) -> {
      log.error("request failed method={} path={}", ctx.method(), ctx.path(), e);
      error(ctx, 500, "internal error");
    });
    app.error(404, ctx -> {
      if (ctx.result() == null) {
        error(ctx, 404, "no such route");
      }
    });
    app.get("/health", ctx -> {
      Map<String, String> status = new java.util.LinkedHashMap<>();
      boolean ok = true;
      for (HealthCheck check : healthChecks) {
        boolean up = check.healthy().getAsBoolean();
        status.put(check.name(), up ? "up" : "down");
        ok &= up;
      }
      ctx.status(ok ? 200 : 503).json(Map.of("status", ok ? "up" : "down", "checks", status));
    });
    app.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8")
        .result(metrics.scrape()));
    routes.forEach(r -> r.register(app));
  }

  /** A group of routes registered on the server. */
  public interface Routes {
    void register(Javalin app);
  }

  /** Starts listening on {@code port} on all interfaces (0 = any free port). */
  public ApiServer start(int port) {
    app.start(port);
    log.info("http api listening port={}", app.port());
    return this;
  }

  public int port() {
    return app.port();
  }

  @Override
  public void close() {
    app.stop();
  }

  private static void error(Context ctx, int status, String message) {
    ctx.status(status).json(Map.of("error", message == null ? "error" : message));
  }
}
