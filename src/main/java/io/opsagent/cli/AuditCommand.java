package io.opsagent.cli;

import io.opsagent.agent.run.AuditHead;
import io.opsagent.agent.run.AuditKeys;
import io.opsagent.agent.run.RunChain;
import io.opsagent.config.Config;
import io.opsagent.worker.Root;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code audit verify} and {@code audit head}: the tenant's run chain checked against its stored,
 * signed audit head (and a head kept outside the database), and that head printed to keep. Exit 0
 * intact, 1 broken (or nothing to print), 2 for a bad argument or an unknown tenant.
 */
@Command(name = "audit", mixinStandardHelpOptions = true,
    description = "The tenant's audit chain: verify it, or print its signed head to keep outside the database.",
    subcommands = {AuditCommand.Verify.class, AuditCommand.Head.class})
final class AuditCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(System.err);
    return 2;
  }

  @Command(name = "verify", mixinStandardHelpOptions = true,
      description = "Recomputes the tenant's run chain and checks it against the stored signed audit head"
          + " (and --head): exit 0 when intact, 1 naming the altered run or 'runs missing after N',"
          + " 2 for a bad argument or an unknown tenant.")
  static final class Verify implements Callable<Integer> {
    @Option(names = "--tenant", required = true, description = "the tenant's id")
    String tenantId;

    @Option(names = "--head", paramLabel = "HEAD",
        description = "a head printed by `audit head` and kept outside the database: the chain must still"
            + " hold it")
    String head;

    @Override
    public Integer call() {
      Optional<AuditHead> kept = Optional.empty();
      if (head != null) {
        kept = AuditHead.parse(head);
        if (kept.isEmpty()) {
          System.err.println("opsagent: --head must be a head as `audit head` prints it"
              + " (COUNT,HASH,TIME,KEYID:SIGNATURE), got '" + head + "'");
          return 2;
        }
      }
      Config config = ExistingDatabase.config();
      // a kept head signed with a key at hand must carry its signature: a mistyped value is refused
      if (kept.isPresent() && kept.get().signatureValid(tenantId, AuditKeys.of(config.audit())).filter(v -> !v).isPresent()) {
        System.err.println("opsagent: --head is not a head of tenant " + tenantId + " signed with its key"
            + " (its signature does not match): check the value kept");
        return 2;
      }
      try (Root services = Root.open(config)) {
        if (!services.tenants().existed(tenantId)) {
          System.err.println("opsagent: no tenant with id " + tenantId);
          return 2;
        }
        RunChain.Verification v = services.runs().verifyChain(tenantId, kept);
        String outside = v.unchained() == 0 ? ""
            : "; " + v.unchained() + " run(s) from before the audit chain are outside it";
        if (!v.intact()) {
          System.out.println("audit chain broken: " + v.problem() + outside);
          return 1;
        }
        String unkeyed = v.unkeyed() == 0 ? "" : "; " + v.unkeyed() + " of them unkeyed (chained with plain"
            + " SHA-256 before OPSAGENT_AUDIT_KEY was set)";
        String against = v.head() == null ? "; no audit head yet"
            : "; matches the audit head (" + v.head().runCount() + " run(s)"
                + (v.head().signed() ? ", signed" : ", unsigned") + ")";
        System.out.println("audit chain intact: " + v.chained() + " run(s) verified" + unkeyed + against
            + (kept.isPresent() ? " and the kept head" : "") + outside);
        if (config.audit().key().isEmpty()) {
          System.out.println("warning: OPSAGENT_AUDIT_KEY is not set: an unkeyed chain shows accidental"
              + " changes, not a rewrite by someone who can write the database");
        }
        return 0;
      }
    }
  }

  @Command(name = "head", mixinStandardHelpOptions = true,
      description = "Verifies the tenant's chain, then prints its signed audit head (COUNT,HASH,TIME,"
          + "KEYID:SIGNATURE on the first line) to keep outside the database for `audit verify --head`.")
  static final class Head implements Callable<Integer> {
    @Option(names = "--tenant", required = true, description = "the tenant's id")
    String tenantId;

    @Override
    public Integer call() {
      try (Root services = Root.open(ExistingDatabase.config())) {
        if (!services.tenants().existed(tenantId)) {
          System.err.println("opsagent: no tenant with id " + tenantId);
          return 2;
        }
        RunChain.Verification v = services.runs().verifyChain(tenantId);
        if (!v.intact()) {
          System.err.println("opsagent: the audit chain is broken, no head to keep: " + v.problem());
          return 1;
        }
        if (v.head() == null) {
          System.err.println("opsagent: tenant " + tenantId + " has no audit head yet (no run chained since"
              + " audit heads exist)");
          return 1;
        }
        AuditHead h = v.head();
        System.out.println(h.token());
        System.out.println("audit head of tenant " + tenantId + ": " + h.runCount() + " run(s), last hash "
            + h.chainHash() + ", at " + h.at() + ", "
            + (h.signed() ? "signed with key id " + h.keyId() : "unsigned (OPSAGENT_AUDIT_KEY was not set)"));
        return 0;
      }
    }
  }
}
