package io.opsagent.cli;

import io.opsagent.agent.run.OpsRun;
import io.opsagent.api.routes.TenantStatusQuery;
import io.opsagent.api.routes.TenantStatusQuery.TenantStatus;
import io.opsagent.config.Config;
import io.opsagent.db.Database;
import io.opsagent.trust.Mode;
import io.opsagent.trust.TenantSettings;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "tenants", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
    description = "Every tenant with its agent's status, one line each.")
final class TenantsCommand implements Callable<Integer> {
  private static final int PAGE = 500;

  @Override
  public Integer call() {
    Config config = ExistingDatabase.config();
    try (Database db = ExistingDatabase.open(config)) {
      TenantStatusQuery query = new TenantStatusQuery(db.jdbi(), config.cycle().circuitPause(),
          new TenantSettings(db.jdbi(), Mode.fromWire(config.cycle().defaultMode()), java.time.Clock.systemUTC()));
      Optional<String> after = Optional.empty();
      while (true) {
        List<TenantStatus> page = query.list(after, PAGE);
        page.forEach(t -> System.out.println(line(t)));
        if (page.size() < PAGE) {
          return 0;
        }
        after = Optional.of(page.get(page.size() - 1).tenant().id());
      }
    }
  }

  static String line(TenantStatus t) {
    OpsRun last = t.lastRun();
    return t.tenant().id() + "  " + t.tenant().name().replaceAll("\\s+", " ")
        + "  opsEnabled=" + t.opsEnabled()
        + "  paused=" + (t.paused() ? "true(until " + t.pausedUntil() + ")" : "false")
        + "  mode=" + t.mode()
        + "  failed=" + t.failed() + "  degraded=" + t.degraded()
        + "  lastRun=" + (last == null ? "-" : last.startedAt() + " " + last.status().wire()
            + (last.skipReason() == null ? "" : "/" + last.skipReason().wire()));
  }
}
