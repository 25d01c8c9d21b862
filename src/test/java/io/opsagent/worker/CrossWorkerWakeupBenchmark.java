package io.opsagent.worker;

import io.opsagent.api.ApiClient;
import io.opsagent.support.FakeMessagesApi;
import io.opsagent.support.TestDatabase;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Event → cycle start across two workers: a FAILED event is accepted by worker A, whose only ops
 * thread is held by another tenant's cycle, and the cycle is run by worker B, woken by PostgreSQL
 * {@code LISTEN}/{@code NOTIFY}. The cycle's start is taken when its request reaches the fake
 * Messages API (so it includes gathering the tenant's state: an upper bound). Both workers poll
 * every 2 s (the default), so a start within far less than that came from the wake-up.
 *
 * <p>Run: {@code mvn -B -q test -Pbenchmark -Dtest=CrossWorkerWakeupBenchmark}
 */
@Tag("benchmark")
class CrossWorkerWakeupBenchmark {
  private static final int SAMPLES = 60;

  @Test
  void eventOnOneWorkerStartsTheCycleOnAnother() throws Exception {
    ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
        .setLevel(ch.qos.logback.classic.Level.WARN);
    try (TestDatabase db = TestDatabase.create(CrossWorkerWakeupBenchmark.class);
        FakeMessagesApi model = FakeMessagesApi.start()) {
      CountDownLatch release = new CountDownLatch(1);
      Map<String, Long> reachedModel = new ConcurrentHashMap<>();
      String[] busy = new String[1];
      model.otherwise(body -> {
        String text = body.path("messages").path(0).toString();
        if (busy[0] != null && text.contains(busy[0])) {
          try {
            release.await(5, TimeUnit.MINUTES); // holds worker A's only ops thread
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        } else {
          reachedModel.keySet().stream().filter(text::contains).findFirst()
              .ifPresent(t -> reachedModel.replace(t, 0L, System.nanoTime()));
        }
        return model.text("All clear.", 1000, 20);
      });
      WorkerEnv envA = new WorkerEnv(db, model, "PT1H").with("OPSAGENT_POLL_INTERVAL", "PT2S")
          .with("OPSAGENT_OPS_CONCURRENCY", "1");
      WorkerEnv envB = envA.onAnotherPort(db, model).with("OPSAGENT_OPS_CONCURRENCY", "4");
      List<Double> ms = new ArrayList<>();
      List<Double> toStart = new ArrayList<>();
      try (Worker a = Worker.start(envA.config())) {
        ApiClient api = new ApiClient(a.httpPort(), envA.token);
        String busyTenant = api.create("/api/tenants", "{\"name\":\"busy\"}");
        busy[0] = busyTenant;
        String bws = api.create("/api/tenants/" + busyTenant + "/workspaces", "{\"name\":\"prod\"}");
        String bdep = api.create("/api/workspaces/" + bws + "/deployments", "{\"name\":\"web\"}");
        api.post("/api/deployments/" + bdep + "/events", "{\"type\":\"crash\",\"status\":\"FAILED\"}");
        waitUntil(() -> model.requests().stream().anyMatch(r -> r.contains(busyTenant)));
        List<String[]> targets = new ArrayList<>();
        for (int i = 0; i < SAMPLES; i++) {
          String t = api.create("/api/tenants", "{\"name\":\"t" + i + "\"}");
          String ws = api.create("/api/tenants/" + t + "/workspaces", "{\"name\":\"prod\"}");
          String d = api.create("/api/workspaces/" + ws + "/deployments", "{\"name\":\"web\"}");
          targets.add(new String[] {t, d});
        }
        try (Worker b = Worker.start(envB.config())) {
          // B's listener is up: two sessions of this database (A's and B's) last ran the LISTEN
          waitUntil(() -> db.database().jdbi().withHandle(h -> h.createQuery("""
                  SELECT count(*) FROM pg_stat_activity
                  WHERE datname = current_database() AND query = 'LISTEN opsagent_wakeup'""")
              .mapTo(Integer.class).one()) >= 2);
          for (String[] t : targets) {
            reachedModel.put(t[0], 0L);
            java.time.Instant sentAt = java.time.Instant.now();
            long sent = System.nanoTime();
            ApiClient.Response r = api.post("/api/deployments/" + t[1] + "/events",
                "{\"type\":\"crash\",\"status\":\"FAILED\"}");
            if (r.status() != 201) {
              throw new AssertionError(r.body());
            }
            waitUntil(() -> reachedModel.get(t[0]) != 0L);
            ms.add((reachedModel.get(t[0]) - sent) / 1e6);
            // the cycle's start: its run row, written on worker B once it has gathered the state
            java.time.Instant started = db.database().jdbi().withHandle(h -> h.createQuery(
                    "SELECT MIN(started_at) FROM ops_agent_runs WHERE tenant_id = :t AND \"trigger\" = 'event'")
                .bind("t", t[0]).mapTo(java.time.Instant.class).one());
            toStart.add(java.time.Duration.between(sentAt, started).toNanos() / 1e6);
            Thread.sleep(100); // one event at a time
          }
        } finally {
          release.countDown();
        }
      }
      Collections.sort(ms);
      Collections.sort(toStart);
      System.out.printf("%nevent accepted by worker A (ops queue busy) -> cycle started on worker B (its run row):"
              + " n=%d p50 %.1f ms, p99 %.1f ms, max %.1f ms%n", toStart.size(),
          toStart.get((int) Math.ceil(0.5 * toStart.size()) - 1),
          toStart.get((int) Math.ceil(0.99 * toStart.size()) - 1), toStart.get(toStart.size() - 1));
      System.out.printf("%nevent accepted by worker A (ops queue busy) -> cycle on worker B reaches the model:"
              + " n=%d p50 %.1f ms, p99 %.1f ms, max %.1f ms%n", ms.size(), ms.get((int) Math.ceil(0.5 * ms.size()) - 1),
          ms.get((int) Math.ceil(0.99 * ms.size()) - 1), ms.get(ms.size() - 1));
    }
  }

  private static void waitUntil(java.util.function.BooleanSupplier done) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!done.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out");
      }
      Thread.sleep(2);
    }
  }
}
