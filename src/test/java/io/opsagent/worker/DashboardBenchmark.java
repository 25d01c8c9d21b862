package io.opsagent.worker;

import io.opsagent.support.FakeMessagesApi;
import io.opsagent.support.TestDatabase;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.jdbi.v3.core.Handle;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Dashboard page times with 100 tenants and 10,000 runs (issue 14: "pages load in under 200 ms").
 * The data is seeded with set-based SQL into the worker's PostgreSQL database: 100 tenants, each
 * with one workspace, four deployments (one FAILED in every tenth tenant), a webhook channel, 100
 * runs (completed, with three tool calls of realistic size and reasoning; every fifth one skipped;
 * one alert delivery every fourth run), 30 days of usage rollup, two incidents and one platform
 * action. Then one logged-in client requests each page and fragment in turn, over HTTP on
 * loopback, and the time to the full response body is taken per request.
 *
 * <p>Run: {@code mvn -B -q test -Pbenchmark -Dtest=DashboardBenchmark}
 */
@Tag("benchmark")
class DashboardBenchmark {
  private static final int TENANTS = 100;
  private static final int RUNS_PER_TENANT = 100;
  private static final int WARMUP = 30;
  private static final int SAMPLES = 200;
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @Test
  void pagesWith100TenantsAnd10000Runs() throws Exception {
    ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
        .setLevel(ch.qos.logback.classic.Level.WARN);
    try (TestDatabase db = TestDatabase.create(DashboardBenchmark.class);
        FakeMessagesApi model = FakeMessagesApi.start()) {
      WorkerEnv env = new WorkerEnv(db, model, "PT24H");
      try (Worker w = Worker.start(env.config())) {
        long seeded = System.nanoTime();
        w.root().db().jdbi().useHandle(DashboardBenchmark::seed);
        double seconds = (System.nanoTime() - seeded) / 1e9;
        System.out.printf("%nseeded in %.1f s: %s%n", seconds, w.root().db().jdbi().withHandle(h -> h.createQuery(
            "SELECT (SELECT COUNT(*) FROM tenants) || ' tenants, ' || (SELECT COUNT(*) FROM ops_agent_runs) || ' runs, '"
                + " || (SELECT COUNT(*) FROM notifications) || ' alert deliveries'").mapTo(String.class).one()));
        String base = "http://127.0.0.1:" + w.httpPort();
        String cookie = login(base, env.token);
        List<String> ids = w.root().db().jdbi().withHandle(h -> h.createQuery(
            "SELECT id FROM tenants ORDER BY id").mapTo(String.class).list());
        measure(base, cookie, "GET /ui/", i -> "/ui/");
        measure(base, cookie, "GET /ui/fragments/tenants", i -> "/ui/fragments/tenants");
        measure(base, cookie, "GET /ui/tenants/{id}", i -> "/ui/tenants/" + ids.get(i % ids.size()));
        measure(base, cookie, "GET /ui/tenants/{id}/fragments/live",
            i -> "/ui/tenants/" + ids.get(i % ids.size()) + "/fragments/live");
        measure(base, cookie, "GET /ui/fragments/kill-switch", i -> "/ui/fragments/kill-switch?back=/ui/");
      }
    }
  }

  private static void measure(String base, String cookie, String label,
      java.util.function.IntFunction<String> path) throws Exception {
    for (int i = 0; i < WARMUP; i++) {
      get(base + path.apply(i), cookie);
    }
    List<Double> ms = new ArrayList<>();
    long bytes = 0;
    for (int i = 0; i < SAMPLES; i++) {
      long start = System.nanoTime();
      HttpResponse<String> r = get(base + path.apply(i), cookie);
      ms.add((System.nanoTime() - start) / 1e6);
      if (r.statusCode() != 200) {
        throw new AssertionError(label + " -> " + r.statusCode());
      }
      bytes += r.body().length();
    }
    Collections.sort(ms);
    System.out.printf("%-40s n=%d p50 %6.1f ms  p95 %6.1f ms  max %6.1f ms  body ≈ %d KB%n", label, ms.size(),
        pct(ms, 0.50), pct(ms, 0.95), ms.get(ms.size() - 1), bytes / SAMPLES / 1024);
  }

  private static double pct(List<Double> sorted, double p) {
    return sorted.get((int) Math.ceil(p * sorted.size()) - 1);
  }

  private static HttpResponse<String> get(String url, String cookie) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(url)).header("Cookie", cookie).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static String login(String base, String token) throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/ui/login"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString("token=" + URLEncoder.encode(token, StandardCharsets.UTF_8)))
        .build(), HttpResponse.BodyHandlers.ofString());
    String setCookie = r.headers().firstValue("Set-Cookie").orElseThrow();
    return setCookie.substring(0, setCookie.indexOf(';'));
  }

  private static void seed(Handle h) {
    h.execute("""
        INSERT INTO tenants (id, name, created_at)
        SELECT 't' || lpad(g::text, 4, '0'), 'tenant ' || g, now() - interval '60 days'
        FROM generate_series(1, ?) g""", TENANTS);
    h.execute("""
        INSERT INTO workspaces (id, tenant_id, name, created_at)
        SELECT 'w' || substr(id, 2), id, 'prod', created_at FROM tenants""");
    h.execute("""
        INSERT INTO deployments (id, tenant_id, workspace_id, name, status, version, created_at, updated_at)
        SELECT 'd' || substr(t.id, 2) || '-' || n, t.id, 'w' || substr(t.id, 2), n,
               CASE WHEN n = 'web' AND substr(t.id, 5, 1) = '0' THEN 'FAILED' ELSE 'RUNNING' END, '1.0.0',
               t.created_at, t.created_at
        FROM tenants t CROSS JOIN (VALUES ('web'), ('api'), ('worker'), ('db')) AS d(n)""");
    h.execute("""
        INSERT INTO notification_channels (id, tenant_id, type, name, config_json, enabled, created_at)
        SELECT 'c' || substr(id, 2), id, 'webhook', 'on-call', '{"url":"https://hooks.example.com/x"}', TRUE,
               created_at FROM tenants""");
    String actions = "[{\"name\":\"getDeploymentHistory\",\"input\":{\"deploymentId\":\"d1\",\"limit\":10},"
        + "\"allowed\":true,\"result\":\"" + "x".repeat(1500) + "\",\"reason\":null},"
        + "{\"name\":\"sendAlert\",\"input\":{\"workspaceId\":\"w1\",\"severity\":\"critical\",\"title\":\"web is"
        + " FAILED\",\"body\":\"" + "b".repeat(400) + "\"},\"allowed\":true,\"result\":\"sent\",\"reason\":null},"
        + "{\"name\":\"sendAlert\",\"input\":{\"workspaceId\":\"w1\",\"severity\":\"critical\",\"title\":\"web is"
        + " FAILED\",\"body\":\"again\"},\"allowed\":false,\"result\":null,\"reason\":\"duplicate alert\","
        + "\"refusal\":\"duplicate_alert\"}]";
    h.createUpdate("""
        INSERT INTO ops_agent_runs (id, tenant_id, status, "trigger", started_at, finished_at, summary, actions_json,
            input_tokens, output_tokens, steps, model, skip_reason, cache_read_tokens, cost_usd, reasoning)
        SELECT 'r' || substr(t.id, 2) || '-' || lpad(g::text, 4, '0'), t.id,
               CASE WHEN g % 5 = 0 THEN 'skipped' ELSE 'completed' END,
               CASE WHEN g % 7 = 0 THEN 'event' ELSE 'schedule' END,
               now() - (g * interval '7 hours'), now() - (g * interval '7 hours') + interval '3 seconds',
               'Alerted the on-call about web.', CASE WHEN g % 5 = 0 THEN '[]' ELSE :actions END,
               CASE WHEN g % 5 = 0 THEN 0 ELSE 2400 END, CASE WHEN g % 5 = 0 THEN 0 ELSE 180 END,
               CASE WHEN g % 5 = 0 THEN 0 ELSE 3 END, 'claude-sonnet-4-5',
               CASE WHEN g % 5 = 0 THEN 'unchanged' END, CASE WHEN g % 5 = 0 THEN 0 ELSE 1240 END,
               CASE WHEN g % 5 = 0 THEN 0 ELSE 0.0102 END,
               CASE WHEN g % 5 = 0 THEN NULL ELSE :reasoning END
        FROM tenants t CROSS JOIN generate_series(1, :runs) g""")
        .bind("actions", actions)
        .bind("reasoning", "web has been FAILED since the last deploy; the history shows 1.0.0 ran fine. "
            .repeat(6))
        .bind("runs", RUNS_PER_TENANT)
        .execute();
    h.execute("""
        INSERT INTO notifications (id, tenant_id, channel_id, workspace_id, run_id, severity, title, body, status,
            attempts, created_at, updated_at, delivered_at)
        SELECT 'n' || substr(r.id, 2), r.tenant_id, 'c' || substr(r.tenant_id, 2), 'w' || substr(r.tenant_id, 2),
               r.id, 'critical', 'web is FAILED', 'Please look at it.', 'delivered', 1, r.finished_at,
               r.finished_at, r.finished_at
        FROM ops_agent_runs r WHERE right(r.id, 1) IN ('4', '8')""");
    h.execute("""
        INSERT INTO ops_usage_daily (tenant_id, day, runs, skipped_runs, model_calls, input_tokens, output_tokens,
            cache_read_tokens, cache_write_tokens, cost_usd)
        SELECT t.id, current_date - g, 4, 1, 9, 7200, 540, 3720, 0, 0.0306
        FROM tenants t CROSS JOIN generate_series(0, 29) g""");
    h.execute("""
        INSERT INTO incidents (id, tenant_id, deployment_id, workspace_id, incident_key, open_key, problem, severity,
            title, body, status, alerts, opened_at, last_alert_at, last_notified_at, resolved_at)
        SELECT 'i' || substr(t.id, 2) || '-' || g, t.id, 'd' || substr(t.id, 2) || '-web', 'w' || substr(t.id, 2),
               t.id || ':d' || substr(t.id, 2) || '-web:failed',
               CASE WHEN g = 1 THEN t.id || ':d' || substr(t.id, 2) || '-web:failed' END, 'failed', 'critical',
               'web is FAILED', 'Please look at it.', CASE WHEN g = 1 THEN 'open' ELSE 'resolved' END, 2,
               now() - g * interval '1 day', now() - g * interval '1 day', now() - g * interval '1 day',
               CASE WHEN g = 1 THEN NULL ELSE now() - g * interval '1 day' + interval '1 hour' END
        FROM tenants t CROSS JOIN generate_series(1, 2) g""");
    h.execute("""
        INSERT INTO ops_actions (id, tenant_id, workspace_id, deployment_id, action, reason, run_id, status,
            attempts, requested_at, finished_at, updated_at)
        SELECT 'a' || substr(t.id, 2), t.id, 'w' || substr(t.id, 2), 'd' || substr(t.id, 2) || '-web', 'restart',
               'crash loop after deploy', 'r' || substr(t.id, 2) || '-0001', 'helped', 1, now() - interval '2 days',
               now() - interval '2 days', now() - interval '2 days' FROM tenants t""");
    h.execute("ANALYZE");
  }
}
