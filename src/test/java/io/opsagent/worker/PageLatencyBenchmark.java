package io.opsagent.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.opsagent.api.ApiClient;
import io.opsagent.notify.TestReceiver;
import io.opsagent.support.FakeMessagesApi;
import io.opsagent.support.TestDatabase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * How soon a FAILED report is paged, and how soon the model's diagnosis follows as an update, on an
 * in-process worker on PostgreSQL with {@code OPSAGENT_OPS_CONCURRENCY=1}, the default polling
 * ({@code PT2S}) and a model (the fake Messages API) that answers every call after 1 s, alerting on
 * the failed deployment by name (so its alert is an update of the paged incident).
 *
 * <p>Latency = {@link System#nanoTime()} right after the answer of {@code POST
 * /api/deployments/{id}/events} → the receiver's arrival ({@link TestReceiver.Request#arrivedNanos})
 * of the page ({@code "by": "code"}, {@code "status": "firing"}) or of the update ({@code "by":
 * "model"}, {@code "status": "update"}, the page's {@code incidentKey}). The page is queued before
 * the API answers, so it may arrive before the answer does: a negative latency.
 *
 * <p>Scenarios, each tenant failing once (one workspace, one RUNNING deployment, a webhook):
 * <ol>
 *   <li>an idle worker: one failure at a time; the next is posted once the previous review is over;
 *   <li>10 tenants failing in the same second (10 concurrent posts), in rounds; between rounds the
 *       model answers at once until the round's reviews are done, so each round starts idle;
 *   <li>behind a full queue: 50 "busy" tenants fail first, so their reviews queue behind the 1 s
 *       model, then 20 measured tenants fail one at a time;
 *   <li>the update, on the failures of scenario 1 (an ops slot free when each was posted).
 * </ol>
 * A few failures before scenario 1 warm the JVM up and are not counted. Nothing about timing is
 * asserted; the targets are printed beside the figures.
 *
 * <p>Run: {@code mvn -B -q test -Pbenchmark -Dtest=PageLatencyBenchmark} (about 3 minutes; 5 on a loaded 2-core machine)
 */
@Tag("benchmark")
class PageLatencyBenchmark {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long MODEL_LATENCY_MS = 1000;
  private static final int WARM_UP = 5;
  private static final int IDLE = 50;
  private static final int BURST = 10;
  private static final int BURST_ROUNDS = 6;
  private static final int BUSY = 50;
  private static final int BEHIND = 20;
  private static final Duration WAIT = Duration.ofSeconds(60);

  /** The fake model's latency per call; 0 while a scenario's leftover reviews are drained. */
  private volatile long modelLatencyMs = MODEL_LATENCY_MS;

  record Target(String tenant, String deployment) {}

  /** One failure: the post sent, its answer, the page's arrival (and the update's, when awaited). */
  record Sample(long sent, long answered, long paged, long updated) {
    double pageMs() {
      return (paged - answered) / 1e6;
    }

    double updateMs() {
      return (updated - answered) / 1e6;
    }

    double apiMs() {
      return (answered - sent) / 1e6;
    }

    double sentToPageMs() {
      return (paged - sent) / 1e6;
    }
  }

  @Test
  void pageLatency() throws Exception {
    ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
        .setLevel(ch.qos.logback.classic.Level.WARN);
    try (TestDatabase db = TestDatabase.create(PageLatencyBenchmark.class);
        FakeMessagesApi model = FakeMessagesApi.start();
        TestReceiver receiver = TestReceiver.answering()) {
      model.otherwise(request -> answer(model, request));
      // a week's interval: no tenant's first scheduled cycle should fall in the run (counted below);
      // the default polling (PT2S) and notification backoff, as in production
      WorkerEnv env = new WorkerEnv(db, model, "P7D").with("OPSAGENT_OPS_CONCURRENCY", "1");
      env.env.remove("OPSAGENT_POLL_INTERVAL");
      env.env.remove("OPSAGENT_NOTIFY_BACKOFF");
      try (Worker worker = Worker.start(env.config())) {
        ApiClient api = new ApiClient(worker.httpPort(), env.token);
        Arrivals arrivals = new Arrivals(receiver);
        List<Target> warmUp = tenants(api, receiver, "warm", WARM_UP);
        List<Target> idle = tenants(api, receiver, "idle", IDLE);
        List<List<Target>> rounds = new ArrayList<>();
        for (int r = 0; r < BURST_ROUNDS; r++) {
          rounds.add(tenants(api, receiver, "burst" + r + "-", BURST));
        }
        List<Target> busy = tenants(api, receiver, "busy", BUSY);
        List<Target> behind = tenants(api, receiver, "behind", BEHIND);

        // 1 and 4: an idle worker, one failure at a time, each review over before the next
        for (Target t : warmUp) {
          oneAtATime(db, api, arrivals, t);
        }
        List<Sample> idleSamples = new ArrayList<>();
        for (Target t : idle) {
          idleSamples.add(oneAtATime(db, api, arrivals, t));
        }

        // 2: 10 tenants failing in the same second
        List<Sample> burstSamples = new ArrayList<>();
        ExecutorService posters = Executors.newFixedThreadPool(BURST);
        try {
          for (List<Target> round : rounds) {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<long[]>> posts = new ArrayList<>();
            for (Target t : round) {
              posts.add(posters.submit(() -> {
                go.await();
                return post(api, t);
              }));
            }
            go.countDown();
            for (int i = 0; i < round.size(); i++) {
              long[] p = posts.get(i).get();
              String deployment = round.get(i).deployment();
              long paged = poll().until(() -> arrivals.page(deployment), a -> a != null).arrivedNanos();
              burstSamples.add(new Sample(p[0], p[1], paged, 0));
            }
            drain(db, round);
          }
        } finally {
          posters.shutdownNow();
        }

        // 3: behind 50 other tenants' reviews queued behind the 1 s model
        for (Target t : busy) {
          post(api, t);
        }
        List<Sample> behindSamples = new ArrayList<>();
        for (Target t : behind) {
          long[] p = post(api, t);
          long paged = poll().until(() -> arrivals.page(t.deployment()), a -> a != null).arrivedNanos();
          behindSamples.add(new Sample(p[0], p[1], paged, 0));
        }
        int busyReviewed = reviewed(db, busy);
        int behindStarted = started(db, behind);
        drain(db, concat(busy, behind));

        int scheduled = db.database().jdbi().withHandle(h -> h.createQuery(
                "SELECT count(*) FROM ops_agent_runs WHERE \"trigger\" <> 'event'").mapTo(Integer.class).one());
        int failedRuns = db.database().jdbi().withHandle(h -> h.createQuery(
                "SELECT count(*) FROM ops_agent_runs WHERE status = 'failed'").mapTo(Integer.class).one());
        arrivals.scan();

        String cfg = String.format("in-process worker on PostgreSQL, OPSAGENT_OPS_CONCURRENCY=1, poll PT2S, model"
            + " %,d ms per call (2 calls per review: the alert, the summary)", MODEL_LATENCY_MS);
        StringBuilder out = new StringBuilder();
        out.append("\nPage latency: event API answer -> arrival at the receiver; ").append(cfg).append('\n');
        out.append("| scenario | n | p50 | p95 | p99 | max | target |\n|---|---:|---:|---:|---:|---:|---|\n");
        row(out, "1. page, idle worker, one failure at a time", pages(idleSamples), "p50 <= 100 ms, p99 <= 300 ms");
        row(out, "2. page, 10 tenants failing in the same second (" + BURST_ROUNDS + " rounds)",
            pages(burstSamples), "p50 <= 100 ms, p99 <= 300 ms");
        row(out, "3. page, behind " + BUSY + " other tenants' queued reviews", pages(behindSamples),
            "p50 <= 100 ms, p99 <= 300 ms");
        row(out, "4. update (by: model), idle worker (scenario 1's failures)",
            idleSamples.stream().map(Sample::updateMs).toList(),
            String.format("<= model + 250 ms = %,d ms", MODEL_LATENCY_MS + 250));
        out.append("\nFor reference, the event API call itself (sent -> answered), and the page from the post's start:\n");
        out.append("| scenario | n | API call p50 | p95 | p99 | max | pages that arrived before the answer"
            + " | sent -> page p50 / p99 |\n|---|---:|---:|---:|---:|---:|---:|---:|\n");
        apiRow(out, "1. idle worker", idleSamples);
        apiRow(out, "2. 10 at once", burstSamples);
        apiRow(out, "3. behind the queue", behindSamples);
        out.append(String.format("%nScenario 3: when the last measured page had arrived, %d of %d busy reviews were"
                + " over and %d of %d measured tenants' reviews had started (the pages did not wait for them).%n",
            busyReviewed, BUSY, behindStarted, BEHIND));
        out.append(String.format("Pages by code: %d for %d failures (duplicates: %d); updates by model: %d;"
                + " failed reviews: %d; cycles other than the reports' reviews: %d.%n",
            arrivals.pageCount(), arrivals.pagedDeployments(), arrivals.duplicatePages(), arrivals.updateCount(),
            failedRuns, scheduled));
        System.out.println(out);

        int failures = WARM_UP + IDLE + BURST * BURST_ROUNDS + BUSY + BEHIND;
        assertThat(arrivals.pagedDeployments()).as("every failure paged").isEqualTo(failures);
        assertThat(arrivals.duplicatePages()).as("each paged once").isZero();
        assertThat(behindStarted).as("scenario 3 measured pages behind a queue").isZero();
      }
    }
  }

  /** Posts the failure, waits for its page and its update, then for its review to finish. */
  private Sample oneAtATime(TestDatabase db, ApiClient api, Arrivals arrivals, Target t) {
    long[] p = post(api, t);
    TestReceiver.Request page = poll().until(() -> arrivals.page(t.deployment()), a -> a != null);
    String key = page.payload().path("incidentKey").asText();
    long updated = poll().until(() -> arrivals.update(key), a -> a != null).arrivedNanos();
    poll().until(() -> reviewed(db, List.of(t)) == 1);
    return new Sample(p[0], p[1], page.arrivedNanos(), updated);
  }

  /** The model answers at once until the tenants' reviews are over, then takes its 1 s again. */
  private void drain(TestDatabase db, List<Target> tenants) {
    modelLatencyMs = 0;
    try {
      await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(50))
          .until(() -> reviewed(db, tenants) == tenants.size());
    } finally {
      modelLatencyMs = MODEL_LATENCY_MS;
    }
  }

  private static ConditionFactory poll() {
    return await().atMost(WAIT).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(5));
  }

  /** {sent, answered} in {@link System#nanoTime()}. */
  private static long[] post(ApiClient api, Target t) {
    long sent = System.nanoTime();
    ApiClient.Response r = api.post("/api/deployments/" + t.deployment() + "/events",
        "{\"type\":\"crash\",\"status\":\"FAILED\",\"message\":\"OOMKilled\"}");
    long answered = System.nanoTime();
    if (r.status() != 201 || !r.json().path("cycleQueued").asBoolean()) {
      throw new AssertionError("event refused or no review queued: " + r.status() + " " + r.body());
    }
    return new long[] {sent, answered};
  }

  /** How many of the tenants have a finished (completed or failed) event review. */
  private static int reviewed(TestDatabase db, List<Target> tenants) {
    return count(db, tenants, "status IN ('completed', 'failed')");
  }

  /** How many of the tenants have a review that started. */
  private static int started(TestDatabase db, List<Target> tenants) {
    return count(db, tenants, "TRUE");
  }

  private static int count(TestDatabase db, List<Target> tenants, String where) {
    return db.database().jdbi().withHandle(h -> h.createQuery(
            "SELECT count(DISTINCT tenant_id) FROM ops_agent_runs WHERE tenant_id IN (<ids>) AND \"trigger\" = 'event'"
                + " AND " + where)
        .bindList("ids", tenants.stream().map(Target::tenant).toList()).mapTo(Integer.class).one());
  }

  private static List<Target> tenants(ApiClient api, TestReceiver receiver, String prefix, int n) {
    List<Target> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String name = prefix + i;
      String tenant = api.create("/api/tenants", "{\"name\":\"" + name + "\"}");
      String ws = api.create("/api/tenants/" + tenant + "/workspaces", "{\"name\":\"prod\"}");
      String app = api.create("/api/workspaces/" + ws + "/deployments", "{\"name\":\"" + name + "-app\"}");
      int status = api.post("/api/tenants/" + tenant + "/notification-channels",
          "{\"type\":\"webhook\",\"name\":\"on-call\",\"config\":{\"url\":\"" + receiver.url("/hooks/" + tenant)
              + "\"}}").status();
      if (status != 201) {
        throw new AssertionError("channel not created: " + status);
      }
      out.add(new Target(tenant, app));
    }
    return out;
  }

  private static List<Target> concat(List<Target> a, List<Target> b) {
    List<Target> out = new ArrayList<>(a);
    out.addAll(b);
    return out;
  }

  /**
   * The model: every call takes {@link #modelLatencyMs}; the first turn of a review with a FAILED
   * deployment alerts on it by name in words of its own (so the alert is an update of the paged
   * incident, not a repeat), the next one summarises.
   */
  private FakeMessagesApi.Reply answer(FakeMessagesApi model, JsonNode request) {
    long latency = modelLatencyMs;
    if (latency > 0) {
      try {
        Thread.sleep(latency); // the model's latency, not synchronisation
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (request.path("messages").size() > 1) {
      return model.text("Alerted on-call with a diagnosis.", 900, 40);
    }
    JsonNode failed = SreScript.stateOf(request).path("failed");
    if (failed.isEmpty()) {
      return model.text("All clear.", 800, 20);
    }
    JsonNode d = failed.get(0);
    return model.toolUse(850, 60, "sendAlert", JSON.createObjectNode()
        .put("workspaceId", d.path("workspaceId").asText()).put("deploymentId", d.path("deploymentId").asText())
        .put("severity", "critical").put("title", d.path("name").asText() + " is killed for memory")
        .put("body", "Diagnosis: " + d.path("name").asText() + " exceeds its memory limit; raise it or roll back.")
        .toString());
  }

  /**
   * What the receiver got, read incrementally (each request is parsed once, so waiting for an
   * arrival costs little CPU): pages by deployment, updates by incident key.
   */
  static final class Arrivals {
    private final TestReceiver receiver;
    private final Map<String, TestReceiver.Request> pages = new HashMap<>();
    private final Map<String, TestReceiver.Request> updates = new HashMap<>();
    private int seen;
    private int pageCount;
    private int updateCount;

    Arrivals(TestReceiver receiver) {
      this.receiver = receiver;
    }

    synchronized void scan() {
      List<TestReceiver.Request> all = receiver.requests();
      for (; seen < all.size(); seen++) {
        TestReceiver.Request r = all.get(seen);
        JsonNode p = r.payload();
        String status = p.path("status").asText();
        String by = p.path("by").asText();
        if (status.equals("firing") && by.equals("code") && !p.path("title").asText().startsWith("Reminder")) {
          pageCount++;
          pages.merge(p.path("deploymentId").asText(), r, (a, b) -> a.arrivedNanos() <= b.arrivedNanos() ? a : b);
        } else if (status.equals("update") && by.equals("model")) {
          updateCount++;
          updates.merge(p.path("incidentKey").asText(), r, (a, b) -> a.arrivedNanos() <= b.arrivedNanos() ? a : b);
        }
      }
    }

    synchronized TestReceiver.Request page(String deployment) {
      scan();
      return pages.get(deployment);
    }

    synchronized TestReceiver.Request update(String incidentKey) {
      scan();
      return updates.get(incidentKey);
    }

    synchronized int pageCount() {
      return pageCount;
    }

    synchronized int pagedDeployments() {
      return pages.size();
    }

    synchronized int duplicatePages() {
      return pageCount - pages.size();
    }

    synchronized int updateCount() {
      return updateCount;
    }
  }

  private static List<Double> pages(List<Sample> samples) {
    return samples.stream().map(Sample::pageMs).toList();
  }

  private static void row(StringBuilder out, String name, List<Double> ms, String target) {
    List<Double> s = sorted(ms);
    out.append(String.format("| %s | %d | %,.1f ms | %,.1f ms | %,.1f ms | %,.1f ms | %s |%n", name, s.size(),
        pct(s, 0.50), pct(s, 0.95), pct(s, 0.99), s.get(s.size() - 1), target));
  }

  private static void apiRow(StringBuilder out, String name, List<Sample> samples) {
    List<Double> s = sorted(samples.stream().map(Sample::apiMs).toList());
    long early = samples.stream().filter(x -> x.paged() < x.answered()).count();
    List<Double> fromSent = sorted(samples.stream().map(Sample::sentToPageMs).toList());
    out.append(String.format("| %s | %d | %,.1f ms | %,.1f ms | %,.1f ms | %,.1f ms | %d of %d | %,.1f / %,.1f ms |%n",
        name, s.size(), pct(s, 0.50), pct(s, 0.95), pct(s, 0.99), s.get(s.size() - 1), early, samples.size(),
        pct(fromSent, 0.50), pct(fromSent, 0.99)));
  }

  private static List<Double> sorted(List<Double> ms) {
    List<Double> s = new ArrayList<>(ms);
    Collections.sort(s);
    return s;
  }

  /** Nearest rank, as the other benchmarks: with n = 50 the p99 is the worst sample. */
  private static double pct(List<Double> sorted, double p) {
    return sorted.get((int) Math.ceil(p * sorted.size()) - 1);
  }
}
