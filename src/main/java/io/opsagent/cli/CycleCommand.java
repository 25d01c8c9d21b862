package io.opsagent.cli;

import io.opsagent.Json;
import io.opsagent.agent.CycleAlreadyRunningException;
import io.opsagent.agent.UnknownTenantException;
import io.opsagent.agent.run.OpsRun;
import io.opsagent.agent.run.RunStatus;
import io.opsagent.config.Config;
import io.opsagent.queue.schedule.Trigger;
import io.opsagent.worker.Root;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "cycle", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
    description = "Runs one cycle for a tenant now, in this process, and prints the run as JSON.")
final class CycleCommand implements Callable<Integer> {

  @Option(names = "--tenant", required = true, description = "the tenant's id")
  String tenantId;

  @Override
  public Integer call() throws Exception {
    Config config = ExistingDatabase.config();
    try (Root services = Failures.opening(config, () -> Root.open(config))) {
      services.notifier().start(); // the notification queue delivers the run's alerts while we wait
      OpsRun run;
      try {
        run = services.agent().runOpsCycle(tenantId, Trigger.MANUAL);
      } catch (UnknownTenantException e) {
        System.err.println("opsagent: no tenant with id " + tenantId);
        return 2;
      } catch (CycleAlreadyRunningException e) {
        System.err.println("opsagent: a cycle of tenant " + tenantId + " is running elsewhere; try again later");
        return 3;
      }
      // deliveries are durable either way (a worker resumes them); give them a moment to go out now.
      DeliveryWait.awaitSettled(services, tenantId, run.id(), Duration.ofSeconds(20));
      System.out.println(Json.MAPPER.writeValueAsString(run));
      return run.status() == RunStatus.COMPLETED ? 0 : 1;
    }
  }
}
