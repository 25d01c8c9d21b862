package io.opsagent.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.opsagent.Json;
import io.opsagent.agent.run.OpsRun;
import io.opsagent.config.Config;
import io.opsagent.notify.ChannelType;
import io.opsagent.platform.Deployment;
import io.opsagent.platform.DeploymentStatus;
import io.opsagent.platform.Tenant;
import io.opsagent.platform.Workspace;
import io.opsagent.queue.schedule.Trigger;
import io.opsagent.worker.Root;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import picocli.CommandLine.Command;

/**
 * The one-command tour: a fresh embedded database, in-memory cooldowns, a loopback webhook receiver
 * standing in for the tenants' alert endpoints, one healthy tenant and one with a FAILED deployment,
 * one cycle each, then what happened.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
    description = "Runs one cycle for a healthy and a failing demo tenant on a fresh embedded database.")
final class DemoCommand implements Callable<Integer> {
  private static final Path DEMO_DIR = Path.of("data", "demo");

  @Override
  public Integer call() throws Exception {
    PrintStream out = System.out;
    if (System.getenv("OPSAGENT_LOG_LEVEL") == null) {
      // the demo's own output tells the story; keep the log to warnings
      ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
          .setLevel(ch.qos.logback.classic.Level.WARN);
    }
    deleteRecursively(DEMO_DIR);
    Map<String, String> env = new HashMap<>(System.getenv());
    env.put("OPSAGENT_DB_URL", "jdbc:hsqldb:file:" + DEMO_DIR.resolve("opsagent")
        + ";sql.syntax_pgs=true;hsqldb.tx=mvcc;shutdown=true");
    env.remove("OPSAGENT_DB_USER");
    env.remove("OPSAGENT_DB_PASSWORD");
    env.remove("OPSAGENT_REDIS_URL");
    env.put("OPSAGENT_ALLOW_PRIVATE_WEBHOOKS", "true"); // the demo's receiver is on loopback
    Config config = Config.fromEnv(env);

    List<JsonNode> received = new CopyOnWriteArrayList<>();
    ObjectMapper json = Json.MAPPER;
    HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receiver.createContext("/alerts", exchange -> {
      received.add(json.readTree(exchange.getRequestBody().readAllBytes()));
      exchange.sendResponseHeaders(204, -1);
      exchange.close();
    });
    receiver.start();
    String hook = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/alerts";

    try (Root s = Root.open(config)) {
      s.notifier().start(); // the notification queue delivers the cycles' alerts while we wait
      out.println("opsagent demo — embedded database " + DEMO_DIR + ", in-memory cooldowns, decided by "
          + s.decider());
      out.println();
      Tenant healthy = seedHealthy(s, hook);
      Tenant failing = seedFailing(s, hook);
      for (Tenant t : List.of(healthy, failing)) {
        OpsRun run = s.agent().runOpsCycle(t.id(), Trigger.MANUAL);
        DeliveryWait.awaitSettled(s, t.id(), run.id(), Duration.ofSeconds(20));
        printRun(out, json, t, run);
      }
      out.println("Alerts received by the demo webhook (" + received.size() + "):");
      for (JsonNode a : received) {
        out.println("  [" + a.path("severity").asText() + "] " + a.path("title").asText()
            + "  (tenant " + a.path("tenantId").asText() + ")");
      }
      if (received.isEmpty()) {
        out.println("  (none)");
      }
    } finally {
      receiver.stop(0);
    }
    return 0;
  }

  private static Tenant seedHealthy(Root s, String hook) {
    Tenant t = s.tenants().create("acme (healthy)");
    Workspace w = s.workspaces().create(t.id(), "production");
    s.deployments().create(w, "web", DeploymentStatus.RUNNING, "2.4.1");
    s.deployments().create(w, "api", DeploymentStatus.RUNNING, "1.9.0");
    s.channels().create(t.id(), w.id(), ChannelType.WEBHOOK, "acme on-call", webhook(hook));
    return t;
  }

  private static Tenant seedFailing(Root s, String hook) {
    Tenant t = s.tenants().create("globex (failing)");
    Workspace w = s.workspaces().create(t.id(), "production");
    s.deployments().create(w, "web", DeploymentStatus.RUNNING, "5.0.2");
    Deployment checkout = s.deployments().create(w, "checkout", DeploymentStatus.RUNNING, "3.1.0");
    s.deployments().recordEvent(checkout, "crash", DeploymentStatus.FAILED,
        "container exited with code 137 (OOMKilled) three times in 5 minutes");
    s.channels().create(t.id(), w.id(), ChannelType.WEBHOOK, "globex on-call", webhook(hook));
    return t;
  }

  private static com.fasterxml.jackson.databind.node.ObjectNode webhook(String url) {
    return Json.MAPPER.createObjectNode().put("url", url);
  }

  private static void printRun(PrintStream out, ObjectMapper json, Tenant t, OpsRun run) throws IOException {
    out.println("Tenant " + t.name() + " — run " + run.id());
    out.println("  status:  " + run.status().wire() + (run.error() == null ? "" : " (" + run.error() + ")"));
    out.println("  model:   " + run.model() + ", steps " + run.steps() + ", tokens in/out "
        + run.inputTokens() + "/" + run.outputTokens());
    out.println("  summary: " + (run.summary() == null ? "" : run.summary().replace("\n", "\n           ")));
    JsonNode actions = json.readTree(run.actionsJson());
    out.println("  actions: " + (actions.isEmpty() ? "none" : ""));
    for (JsonNode a : actions) {
      out.println("    - " + a.path("name").asText() + " " + (a.path("allowed").asBoolean() ? "executed" : "refused")
          + ": " + a.path("input").toString());
    }
    out.println();
  }

  private static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
