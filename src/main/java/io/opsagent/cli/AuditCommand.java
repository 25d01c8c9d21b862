package io.opsagent.cli;

import io.opsagent.agent.run.RunChain;
import io.opsagent.worker.Services;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "audit", description = "audit verify --tenant ID: recomputes the tenant's run chain;"
    + " exit 0 when intact, 1 naming the first altered run.")
final class AuditCommand implements Callable<Integer> {

  @Parameters(index = "0", description = "verify")
  String action;

  @Option(names = "--tenant", required = true, description = "the tenant's id")
  String tenantId;

  @Override
  public Integer call() {
    if (!action.equals("verify")) {
      System.err.println("opsagent: audit takes verify, got '" + action + "'");
      return 2;
    }
    try (Services services = Services.open(ExistingDatabase.config())) {
      if (services.tenants().find(tenantId).isEmpty()) {
        System.err.println("opsagent: no tenant with id " + tenantId);
        return 2;
      }
      RunChain.Verification v = services.runs().verifyChain(tenantId);
      String outside = v.unchained() == 0 ? ""
          : "; " + v.unchained() + " run(s) from before the audit chain are outside it";
      if (v.intact()) {
        System.out.println("audit chain intact: " + v.chained() + " run(s) verified" + outside);
        return 0;
      }
      System.out.println("audit chain broken: run " + v.firstAlteredRunId()
          + " was altered (its recorded content no longer matches its chainHash)" + outside);
      return 1;
    }
  }
}
