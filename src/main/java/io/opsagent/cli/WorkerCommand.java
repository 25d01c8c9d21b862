package io.opsagent.cli;

import io.opsagent.config.Config;
import io.opsagent.worker.Worker;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import sun.misc.Signal;

/**
 * Runs the worker until asked to stop. SIGTERM and SIGINT are the normal way to stop it: the worker
 * is closed gracefully and the process exits 0 (the JVM's default handling would exit 143/130, which
 * init systems and orchestrators report as a failure). Any other exit still closes the worker
 * through a shutdown hook.
 */
@Command(name = "worker", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
    description = "Runs the queues, the per-tenant scheduler and the HTTP API until SIGTERM.")
final class WorkerCommand implements Callable<Integer> {

  @Override
  public Integer call() throws InterruptedException {
    Config config = Config.fromEnv();
    Worker worker = Failures.opening(config, () -> Worker.start(config)); // a port in use: one line
    worker.generatedApiToken().ifPresent(token -> System.out.println(
        "OPSAGENT_API_TOKEN was not set; this run's API token (shown once): " + token));
    System.out.flush();
    AtomicBoolean closed = new AtomicBoolean();
    Runnable close = () -> {
      if (closed.compareAndSet(false, true)) {
        worker.close();
      }
    };
    Runtime.getRuntime().addShutdownHook(new Thread(close, "opsagent-shutdown"));
    CountDownLatch stop = new CountDownLatch(1);
    for (String name : List.of("TERM", "INT")) {
      Signal.handle(new Signal(name), signal -> stop.countDown());
    }
    stop.await();
    close.run();
    return 0;
  }
}
