package io.opsagent.cli;

import io.opsagent.agent.run.OpsRun;
import io.opsagent.agent.run.RunRepository;
import io.opsagent.db.Database;
import io.opsagent.platform.TenantRepository;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "runs", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
    description = "The tenant's latest runs, newest first, one line each.")
final class RunsCommand implements Callable<Integer> {

  @Option(names = "--tenant", required = true, description = "the tenant's id")
  String tenantId;

  @Option(names = "--limit", defaultValue = "20", description = "how many runs (1-500; default 20)")
  int limit;

  @Override
  public Integer call() {
    if (limit < 1 || limit > 500) {
      System.err.println("opsagent: --limit must be between 1 and 500");
      return 2;
    }
    try (Database db = ExistingDatabase.open(ExistingDatabase.config())) {
      if (new TenantRepository(db.jdbi(), java.time.Clock.systemUTC()).find(tenantId).isEmpty()) {
        System.err.println("opsagent: no tenant with id " + tenantId);
        return 2;
      }
      for (OpsRun r : new RunRepository(db.jdbi(), java.time.Clock.systemUTC()).recent(tenantId, limit)) {
        System.out.println(line(r));
      }
      return 0;
    }
  }

  static String line(OpsRun r) {
    String why = r.skipReason() != null ? " skip=" + r.skipReason().wire()
        : r.fallbackReason() != null ? " fallback=" + r.fallbackReason().wire() : "";
    String summary = r.summary() == null ? (r.error() == null ? "" : r.error()) : r.summary();
    summary = summary.replaceAll("\\s+", " ");
    if (summary.length() > 120) {
      summary = summary.substring(0, 119) + "…";
    }
    return r.startedAt() + "  " + r.id() + "  " + r.status().wire() + "  " + r.trigger().wire()
        + "  model=" + (r.model() == null ? "-" : r.model()) + why + (r.dryRun() ? " dry-run" : "")
        + "  tokens=" + (r.inputTokens() + r.outputTokens()) + "  " + summary;
  }
}
