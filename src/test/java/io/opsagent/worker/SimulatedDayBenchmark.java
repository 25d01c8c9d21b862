package io.opsagent.worker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.opsagent.api.ApiClient;
import io.opsagent.notify.TestReceiver;
import io.opsagent.support.FakeMessagesApi;
import io.opsagent.support.TestDatabase;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A simulated day of 100 tenants, time compressed, through a real worker on PostgreSQL, the fake
 * Messages API answering like a model after a fixed 1 s, and a loopback webhook receiver that
 * timestamps arrivals. Runs "the original design" (a model review every cycle, the ops queue
 * polling only) and this design side by side and prints the tables of {@code docs/benchmarks.md}.
 *
 * <p>One slot = one cycle interval = 5 simulated minutes; a day is 288 slots. The mix: 60 tenants
 * healthy all day, 15 fail once and recover, 10 flap (failures of 2 slots and blips of 0.4 slot,
 * about 30 slots apart), 5 get the same warning event every slot, and 10 fail in the same second
 * at slot 40 and recover 6 slots later. Non-burst failures start on lanes 3 slots apart. Every
 * simulated duration of the configuration (full review, alert cooldown) is compressed by the same
 * factor.
 *
 * <p>Run: {@code mvn -B -q test -Pbenchmark -Dtest=SimulatedDayBenchmark}. Properties:
 * {@code day.design} ({@code both}, {@code original}, {@code new}); {@code day.slots} (a shorter
 * trial).
 */
@Tag("benchmark")
class SimulatedDayBenchmark {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int TENANTS = 100;
  private static final int SLOTS_PER_DAY = 288;
  private static final long MODEL_LATENCY_MS = 1000;
  private static final String[] APPS = {"web", "api", "worker", "db"};

  /** One design's settings: how long a slot lasts in real time, and how many slots are simulated. */
  record Run(String name, boolean original, Duration interval, int slots, int concurrency, Duration poll) {
    long factor() {
      return Duration.ofMinutes(5).toMillis() / interval.toMillis();
    }

    Duration compress(Duration simulated) {
      return Duration.ofMillis(simulated.toMillis() / factor());
    }
  }

  /** A scheduled status change: deployment {@code app} of tenant {@code tenant} FAILED at slot {@code start} for {@code length} slots. */
  record Failure(int tenant, String app, double start, double length, boolean burst) {}

  @Test
  void simulatedDay() throws Exception {
    ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
        .setLevel(ch.qos.logback.classic.Level.WARN);
    String which = System.getProperty("day.design", "both");
    List<String> tables = new ArrayList<>();
    if (!which.equals("new")) {
      // the original design reviews every cycle: 100 tenants x 1 s per slot need a slot of 3 s to stay
      // within PostgreSQL's connections (one per running cycle), so 6 hours are simulated, not 24
      tables.add(simulate(new Run("original design", true, Duration.ofSeconds(3), Integer.getInteger("day.slots", 72), 48,
          Duration.ofMillis(250))));
    }
    if (!which.equals("original")) {
      tables.add(simulate(new Run("this design", false, Duration.ofSeconds(1), Integer.getInteger("day.slots", SLOTS_PER_DAY), 20,
          Duration.ofMillis(250))));
    }
    System.out.println();
    tables.forEach(System.out::println);
  }

  static List<Failure> failures() {
    List<Failure> out = new ArrayList<>();
    int flapLane = 0;
    for (int n = 0; 2.5 + 3.0 * n < SLOTS_PER_DAY - 6; n++) {
      double start = 2.5 + 3.0 * n;
      if (n % 6 == 1 && (n - 1) / 6 < 15) {
        int k = (n - 1) / 6;
        out.add(new Failure(60 + k, "api", start, 3 + k % 10, false));
      } else if (n % 6 == 3 || n % 6 == 5) {
        int m = flapLane % 10;
        boolean blip = (flapLane / 10) % 2 == 1;
        out.add(new Failure(75 + m, "worker", start, blip ? 0.4 : 2, false));
        flapLane++;
      }
    }
    for (int b = 0; b < 10; b++) {
      out.add(new Failure(90 + b, "db", 40.0, 6, true));
    }
    return out;
  }

  private String simulate(Run run) throws Exception {
    try (TestDatabase db = TestDatabase.create(SimulatedDayBenchmark.class);
        FakeMessagesApi model = FakeMessagesApi.start();
        TestReceiver receiver = TestReceiver.answering()) {
      AtomicInteger modelRequests = new AtomicInteger();
      model.otherwise(body -> {
        modelRequests.incrementAndGet();
        FakeMessagesApi.Reply reply = answer(body);
        try {
          Thread.sleep(MODEL_LATENCY_MS); // the model's latency, not synchronisation
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return reply;
      });
      WorkerEnv env = new WorkerEnv(db, model, run.interval().toString())
          .with("OPSAGENT_OPS_CONCURRENCY", Integer.toString(run.concurrency()))
          .with("OPSAGENT_POLL_INTERVAL", run.poll().toString())
          .with("OPSAGENT_FULL_REVIEW_INTERVAL", run.compress(Duration.ofHours(6)).toString())
          .with("OPSAGENT_ALERT_COOLDOWN", run.compress(Duration.ofHours(1)).toString())
          .with("OPSAGENT_LLM_TIMEOUT", "PT30S");
      try (Worker worker = run.original() ? Worker.startOriginalDesign(env.config()) : Worker.start(env.config())) {
        ApiClient api = new ApiClient(worker.httpPort(), env.token);
        String[][] deployments = new String[TENANTS][APPS.length];
        String[] tenants = new String[TENANTS];
        for (int t = 0; t < TENANTS; t++) {
          tenants[t] = api.create("/api/tenants", "{\"name\":\"tenant-" + t + "\"}");
          String ws = api.create("/api/tenants/" + tenants[t] + "/workspaces", "{\"name\":\"production\"}");
          int status = api.post("/api/tenants/" + tenants[t] + "/notification-channels",
              "{\"type\":\"webhook\",\"name\":\"on-call\",\"workspaceId\":\"" + ws + "\",\"config\":{\"url\":\""
                  + receiver.url("/t/" + t) + "\"}}").status();
          if (status != 201) {
            throw new AssertionError("channel not created: " + status);
          }
          for (int a = 0; a < APPS.length; a++) {
            deployments[t][a] = api.create("/api/workspaces/" + ws + "/deployments",
                "{\"name\":\"" + APPS[a] + "\",\"version\":\"1.0." + a + "\"}");
          }
        }
        List<Failure> plan = failures().stream().filter(f -> f.start() + f.length() < run.slots() - 1).toList();
        Map<Failure, Long> startedAt = new ConcurrentHashMap<>();
        long slotNanos = run.interval().toNanos();
        // the day starts two slots after setup, once every tenant's first review is over; usage is
        // counted from there to the end of the day (steady state, not the first reviews)
        long t0 = System.nanoTime() + 2 * slotNanos;
        ScheduledExecutorService driver = Executors.newScheduledThreadPool(12);
        for (Failure f : plan) {
          String dep = deployments[f.tenant()][index(f.app())];
          at(driver, t0 + (long) (f.start() * slotNanos), () -> {
            startedAt.put(f, System.nanoTime());
            event(api, dep, "crash", "FAILED", "OOMKilled: container exceeded its memory limit");
          });
          at(driver, t0 + (long) ((f.start() + f.length()) * slotNanos),
              () -> event(api, dep, "recovered", "RUNNING", "healthy again"));
        }
        for (int slot = 0; slot < run.slots(); slot++) {
          for (int t = 85; t < 90; t++) {
            String dep = deployments[t][0];
            at(driver, t0 + (long) ((slot + 0.7) * slotNanos),
                () -> event(api, dep, "warning", null, "p99 latency above 500 ms"));
          }
        }
        long end = t0 + run.slots() * slotNanos;
        @SuppressWarnings("unchecked")
        Map<String, Object>[] usage = new Map[2];
        at(driver, t0, () -> usage[0] = usage(db));
        at(driver, end, () -> usage[1] = usage(db));
        driver.shutdown();
        driver.awaitTermination(run.slots() * run.interval().toMillis() + 60_000, TimeUnit.MILLISECONDS);
        long wait = end + TimeUnit.SECONDS.toNanos(5) - System.nanoTime();
        if (wait > 0) {
          Thread.sleep(wait / 1_000_000); // let the last cycles and deliveries of the day finish
        }
        return report(run, usage[0], usage[1], receiver, plan, startedAt, modelRequests.get());
      }
    }
  }

  private static void at(ScheduledExecutorService driver, long nanos, Runnable action) {
    driver.schedule(() -> {
      try {
        action.run();
      } catch (RuntimeException e) {
        System.err.println("simulation step failed: " + e);
      }
    }, Math.max(0, nanos - System.nanoTime()), TimeUnit.NANOSECONDS);
  }

  private static void event(ApiClient api, String deployment, String type, String status, String message) {
    String body = "{\"type\":\"" + type + "\",\"message\":\"" + message + "\""
        + (status == null ? "" : ",\"status\":\"" + status + "\"") + "}";
    ApiClient.Response r = api.post("/api/deployments/" + deployment + "/events", body);
    if (r.status() != 201) {
      System.err.println("event refused: " + r.status() + " " + r.body());
    }
  }

  private static int index(String app) {
    for (int i = 0; i < APPS.length; i++) {
      if (APPS[i].equals(app)) {
        return i;
      }
    }
    throw new IllegalArgumentException(app);
  }

  private static Map<String, Object> usage(TestDatabase db) {
    return db.database().jdbi().withHandle(h -> h.createQuery(
            "SELECT COALESCE(SUM(model_calls), 0) AS calls, COALESCE(SUM(input_tokens), 0) AS input,"
                + " COALESCE(SUM(output_tokens), 0) AS output, COALESCE(SUM(cache_read_tokens), 0) AS cache_read,"
                + " COALESCE(SUM(cache_write_tokens), 0) AS cache_write, COALESCE(SUM(cost_usd), 0) AS cost,"
                + " COALESCE(SUM(runs), 0) AS runs, COALESCE(SUM(skipped_runs), 0) AS skipped FROM ops_usage_daily")
        .mapToMap().one());
  }

  private static double diff(Map<String, Object> from, Map<String, Object> to, String key) {
    return new BigDecimal(to.get(key).toString()).subtract(new BigDecimal(from.get(key).toString())).doubleValue();
  }

  private String report(Run run, Map<String, Object> from, Map<String, Object> to, TestReceiver receiver,
      List<Failure> plan, Map<Failure, Long> startedAt, int modelRequests) {
    double days = run.slots() / (double) SLOTS_PER_DAY;
    double perTenantDay = TENANTS * days;
    List<TestReceiver.Request> alerts = receiver.requests();
    List<Double> single = new ArrayList<>();
    List<Double> burst = new ArrayList<>();
    int missed = 0;
    int counted = 0;
    StringBuilder missedList = new StringBuilder();
    for (Failure f : plan) {
      Long start = startedAt.get(f);
      if (f.length() <= 1 || start == null) {
        continue; // a blip shorter than one interval need not alert
      }
      counted++;
      double nextStart = plan.stream().filter(o -> o.tenant() == f.tenant() && o.start() > f.start())
          .mapToDouble(Failure::start).min().orElse(Double.MAX_VALUE);
      long limit = nextStart == Double.MAX_VALUE ? Long.MAX_VALUE
          : start + (long) ((nextStart - f.start()) * run.interval().toNanos());
      Long arrived = alerts.stream()
          .filter(r -> r.path().equals("/t/" + f.tenant()) && r.arrivedNanos() >= start && r.arrivedNanos() < limit)
          .filter(r -> r.payload().path("title").asText().contains(f.app() + " is FAILED"))
          .map(TestReceiver.Request::arrivedNanos).min(Long::compare).orElse(null);
      if (arrived == null) {
        missed++;
        missedList.append(" tenant-").append(f.tenant()).append('/').append(f.app()).append('@').append(f.start());
        continue;
      }
      (f.burst() ? burst : single).add((arrived - start) / 1e6);
    }
    double calls = diff(from, to, "calls");
    double input = diff(from, to, "input");
    double output = diff(from, to, "output");
    double cacheRead = diff(from, to, "cache_read");
    double cost = diff(from, to, "cost");
    StringBuilder out = new StringBuilder();
    out.append("### ").append(run.name()).append(": slot ").append(run.interval()).append(" = 5 min (x")
        .append(run.factor()).append("), ").append(run.slots()).append(" slots = ")
        .append(String.format("%.1f", days * 24)).append(" h simulated, OPSAGENT_OPS_CONCURRENCY=")
        .append(run.concurrency()).append(", poll ").append(run.poll()).append('\n');
    out.append(String.format("runs %.0f (skipped %.0f) during the simulated day; model requests seen by the"
        + " fake API in all (setup included) %d%n", diff(from, to, "runs"), diff(from, to, "skipped"), modelRequests));
    out.append(String.format("| model calls / tenant-day | %.1f |%n", calls / perTenantDay));
    out.append(String.format("| input tokens / tenant-day (uncached) | %.0f |%n", input / perTenantDay));
    out.append(String.format("| cache-read tokens / tenant-day | %.0f |%n", cacheRead / perTenantDay));
    out.append(String.format("| output tokens / tenant-day | %.0f |%n", output / perTenantDay));
    out.append(String.format("| USD / tenant-day | %.4f |%n", cost / perTenantDay));
    long resolvedNotices = alerts.stream()
        .filter(r -> "resolved".equals(r.payload().path("status").asText())).count();
    out.append(String.format("| alerts delivered | %d firing + %d resolved notices (%d failures longer than one interval) |%n",
        receiver.successes() - resolvedNotices, resolvedNotices, counted));
    out.append(String.format("| missed alerts | %d%s |%n", missed, missedList));
    out.append(String.format("| detection p50 / p99, non-coinciding (n=%d) | %s |%n", single.size(), pct(single)));
    out.append(String.format("| detection p50 / p99, 10 tenants in the same second (n=%d) | %s |%n",
        burst.size(), pct(burst)));
    return out.toString();
  }

  private static String pct(List<Double> ms) {
    if (ms.isEmpty()) {
      return "-";
    }
    List<Double> s = new ArrayList<>(ms);
    Collections.sort(s);
    double p50 = s.get((int) Math.ceil(0.50 * s.size()) - 1);
    double p99 = s.get((int) Math.ceil(0.99 * s.size()) - 1);
    return String.format("%.0f / %.0f ms (max %.0f)", p50, p99, s.get(s.size() - 1));
  }

  /**
   * What a model would answer: a {@code sendAlert} per FAILED or DEGRADED deployment of the
   * context's {@code <state>}, then a summary; "all clear" when there is none. Usage as the API
   * would count it: the static prefix (system prompt and tools) read from the cache, the rest input.
   */
  static FakeMessagesApi.Reply answer(JsonNode body) {
    JsonNode messages = body.path("messages");
    JsonNode last = messages.get(messages.size() - 1);
    long prefixChars = body.path("system").toString().length() + body.path("tools").toString().length();
    long restChars = messages.toString().length();
    long cached = prefixChars / 4 >= 1024 ? prefixChars / 4 : 0;
    long input = restChars / 4 + (cached == 0 ? prefixChars / 4 : 0);
    ArrayNode content = JSON.createArrayNode();
    boolean toolResults = false;
    for (JsonNode block : last.path("content")) {
      toolResults |= block.path("type").asText().equals("tool_result");
    }
    if (toolResults) {
      content.addObject().put("type", "text").put("text", "Alerted on-call about the failed deployments.");
      return message(content, "end_turn", input, cached, 40);
    }
    JsonNode state = state(messages.get(0));
    int alerts = 0;
    for (String kind : new String[] {"failed", "degraded"}) {
      for (JsonNode d : state.path(kind)) {
        ObjectNode in = JSON.createObjectNode().put("workspaceId", d.path("workspaceId").asText())
            .put("deploymentId", d.path("deploymentId").asText())
            .put("severity", kind.equals("failed") ? "critical" : "warning")
            .put("title", d.path("name").asText() + " is " + kind.toUpperCase(java.util.Locale.ROOT))
            .put("body", "Deployment " + d.path("name").asText() + " is " + kind.toUpperCase(java.util.Locale.ROOT)
                + "; check its logs, then redeploy or roll back.");
        content.addObject().put("type", "tool_use").put("id", "toolu_" + System.nanoTime() + "_" + alerts++)
            .put("name", "sendAlert").set("input", in);
      }
    }
    if (alerts == 0) {
      content.addObject().put("type", "text").put("text", "All clear: nothing failed or degraded.");
      return message(content, "end_turn", input, cached, 30);
    }
    return message(content, "tool_use", input, cached, 90L * alerts);
  }

  private static JsonNode state(JsonNode first) {
    JsonNode content = first.path("content");
    String text = content.isTextual() ? content.asText() : content.path(0).path("text").asText();
    int a = text.indexOf("<state>");
    int b = text.lastIndexOf("</state>");
    try {
      return JSON.readTree(text.substring(a + "<state>".length(), b));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static FakeMessagesApi.Reply message(ArrayNode content, String stop, long input, long cached, long output) {
    ObjectNode m = JSON.createObjectNode().put("id", "msg_" + System.nanoTime())
        .put("type", "message").put("role", "assistant").put("model", "claude-sonnet-4-5");
    m.set("content", content);
    m.put("stop_reason", stop).putNull("stop_sequence");
    m.putObject("usage").put("input_tokens", input).put("output_tokens", output)
        .put("cache_creation_input_tokens", 0).put("cache_read_input_tokens", cached);
    return new FakeMessagesApi.Reply(200, m.toString());
  }
}
