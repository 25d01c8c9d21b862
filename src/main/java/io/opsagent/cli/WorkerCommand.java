package io.opsagent.cli;

import io.opsagent.config.Config;
import io.opsagent.worker.Worker;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;

@Command(name = "worker", description = "Runs the queues, the per-tenant scheduler and the HTTP API until SIGTERM.")
final class WorkerCommand implements Callable<Integer> {

  @Override
  public Integer call() throws InterruptedException {
    Worker worker = Worker.start(Config.fromEnv());
    worker.generatedApiToken().ifPresent(token -> System.out.println(
        "OPSAGENT_API_TOKEN was not set; this run's API token (shown once): " + token));
    System.out.flush();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      worker.close();
      stopped.countDown();
    }, "opsagent-shutdown"));
    stopped.await();
    return 0;
  }
}
