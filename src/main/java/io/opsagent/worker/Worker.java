package io.opsagent.worker;

import io.opsagent.api.ApiServer;
import io.opsagent.config.Config;
import io.opsagent.notify.delivery.DeliveryNotifier;
import io.opsagent.queue.Queues;
import io.opsagent.queue.Wakeup;
import io.opsagent.queue.schedule.OpsScheduler;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code opsagent worker} at run time: the deployment queue, the ops-agent queue whose handler runs
 * {@code runOpsCycle}, the startup scan of tenants, and the HTTP API, all built by {@link Root}.
 *
 * <p>{@link #close()} stops gracefully: the API first (no new triggers), then the queues (a running
 * cycle is given time to finish; one cut short is marked failed by the tenant's next cycle), then
 * the notifier and the stores.
 */
public final class Worker implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Worker.class);

  private final Root root;
  private final DeliveryNotifier notifier;
  private final OpsScheduler scheduler;
  private final Queues queues;
  private final Wakeup wakeup;
  private final boolean listen;
  private final ApiServer api;
  private final Optional<String> generatedToken;
  private final String httpBind;
  private final int httpPort;
  private final String decider;

  /**
   * {@code root}: the graph this worker runs on, closed with it; {@code listen}: the ops queue is
   * woken through {@code wakeup} (false: it polls only); {@code api}: null when disabled.
   */
  Worker(Root root, DeliveryNotifier notifier, OpsScheduler scheduler, Queues queues, Wakeup wakeup,
      boolean listen, ApiServer api, Optional<String> generatedToken, String httpBind, int httpPort,
      String decider) {
    this.httpBind = httpBind;
    this.root = root;
    this.notifier = notifier;
    this.scheduler = scheduler;
    this.queues = queues;
    this.wakeup = wakeup;
    this.listen = listen;
    this.api = api;
    this.generatedToken = generatedToken;
    this.httpPort = httpPort;
    this.decider = decider;
  }

  /** Starts everything; the returned worker runs until {@link #close()}. */
  public static Worker start(Config config) {
    return start(config, false);
  }

  /**
   * The original design, for the simulated-day benchmark only: a model review every scheduled
   * cycle (no unchanged-state skip) and the ops queue polling only (no wake-up, no LISTEN).
   */
  static Worker startOriginalDesign(Config config) {
    return start(config, true);
  }

  private static Worker start(Config config, boolean originalDesign) {
    Root root = Root.open(config, originalDesign);
    if (config.notifications().secretKey().isEmpty()) {
      log.warn("OPSAGENT_SECRET_KEY is not set: notification channel configuration (webhook URLs, "
          + "signing secrets) is stored in the database in plaintext");
    }
    if (config.audit().key().isEmpty()) {
      log.warn("OPSAGENT_AUDIT_KEY is not set: runs are chained with plain SHA-256, so anyone who can write"
          + " the database can rewrite runs and recompute the chain undetected; set it (base64 of 32 random"
          + " bytes) to chain runs with HMAC-SHA-256 and sign the audit head");
    }
    Worker w = null;
    try {
      w = root.worker(originalDesign);
      w.run();
      return w;
    } catch (RuntimeException e) {
      // e.g. the HTTP port is taken: stop the queues already polling, or they would pick cycles
      // (and keep the JVM alive) in a worker that never started
      if (w != null) {
        w.queues.close();
        w.wakeup.close();
      }
      root.close();
      throw e;
    }
  }

  private void run() {
    notifier.start();
    if (listen) {
      queues.start(wakeup);
      wakeup.start();
    } else {
      queues.start();
    }
    int created = scheduler.scanAndRegister();
    if (api != null) {
      api.start(httpBind, httpPort);
    }
    log.info("worker started decider=\"{}\" schedulesCreated={} httpPort={}", decider, created,
        api == null ? "disabled" : api.port());
  }

  /** The bearer token, and whether it was generated (then the CLI prints it once). */
  public Optional<String> generatedApiToken() {
    return generatedToken;
  }

  /** The routes the HTTP API serves ({@code "GET /path"}); empty when it is disabled. */
  public List<String> apiRoutes() {
    return api == null ? List.of() : api.routes();
  }

  public int httpPort() {
    return api == null ? 0 : api.port();
  }

  /** The graph this worker runs on (for tests and benchmarks that look inside). */
  public Root root() {
    return root;
  }

  public OpsScheduler scheduler() {
    return scheduler;
  }

  @Override
  public void close() {
    log.info("worker stopping");
    if (api != null) {
      api.close();
    }
    queues.close();
    wakeup.close();
    root.close();
    log.info("worker stopped");
  }
}
