package io.opsagent.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.opsagent.agent.run.AuditKeys;
import io.opsagent.agent.run.OpsRun;
import io.opsagent.agent.run.Retention;
import io.opsagent.agent.run.RunChain;
import io.opsagent.agent.run.RunOutcome;
import io.opsagent.agent.run.RunRepository;
import io.opsagent.agent.run.RunStatus;
import io.opsagent.agent.run.TokenUsage;
import io.opsagent.config.Config;
import io.opsagent.queue.schedule.Trigger;
import io.opsagent.support.Fixtures;
import io.opsagent.support.OpsagentProcess;
import io.opsagent.support.TestDatabase;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code audit verify} and {@code audit head} as an operator runs them (a process of their own, with
 * {@code OPSAGENT_AUDIT_KEY} in its environment), against a chain tampered with the way someone who
 * can write the database but lacks the key would: each tamper form exits 1 naming the altered run,
 * or "runs missing after N" when runs were deleted.
 */
class AuditChainTest {
  static final String KEY = newKey();
  static final String OLD_KEY = newKey();

  static TestDatabase db;
  static Jdbi jdbi;
  static Fixtures fixtures;

  @TempDir
  Path dir;

  @BeforeAll
  static void createDatabase() {
    db = TestDatabase.create(AuditChainTest.class);
    jdbi = db.database().jdbi();
    fixtures = new Fixtures(db.database());
  }

  @AfterAll
  static void dropDatabase() {
    db.close();
  }

  @Test
  void anIntactKeyedChainVerifiesAndEverySubcommandAnswersHelp() throws Exception {
    String tenant = tenant();
    runs(tenant, keys(KEY), 3);

    Result verify = audit(key(KEY), "verify", "--tenant", tenant);
    assertThat(verify.exit()).as(verify.output()).isEqualTo(0);
    assertThat(verify.stdout()).contains("audit chain intact: 3 run(s) verified")
        .contains("matches the audit head (3 run(s), signed)").doesNotContain("unkeyed");
    for (List<String> help : List.of(List.of("--help"), List.of("verify", "--help"), List.of("head", "--help"))) {
      Result r = audit(Map.of(), help.toArray(String[]::new));
      assertThat(r.exit()).as("audit %s: %s", help, r.output()).isEqualTo(0);
      assertThat(r.stdout()).contains("Usage:");
    }
  }

  @Test
  void anEditedSummaryIsNamed() throws Exception {
    String tenant = tenant();
    List<String> ids = runs(tenant, keys(KEY), 4);
    sql("UPDATE ops_agent_runs SET summary = 'nothing happened' WHERE id = ?", ids.get(1));

    assertBroken(audit(key(KEY), "verify", "--tenant", tenant), "run " + ids.get(1) + " was altered");
  }

  @Test
  void deletingTheNewestRunIsCaughtAgainstTheHead() throws Exception {
    String tenant = tenant();
    List<String> ids = runs(tenant, keys(KEY), 10);
    sql("DELETE FROM ops_agent_runs WHERE id = ?", ids.get(9));

    assertBroken(audit(key(KEY), "verify", "--tenant", tenant), "runs missing after 9");
  }

  @Test
  void deletingTheNewestFiveRunsIsCaughtAgainstTheHead() throws Exception {
    String tenant = tenant();
    List<String> ids = runs(tenant, keys(KEY), 10);
    for (String id : ids.subList(5, 10)) {
      sql("DELETE FROM ops_agent_runs WHERE id = ?", id);
    }

    assertBroken(audit(key(KEY), "verify", "--tenant", tenant), "runs missing after 5");
  }

  @Test
  void deletingAllRunsIsCaughtAgainstTheHead() throws Exception {
    String tenant = tenant();
    runs(tenant, keys(KEY), 4);
    sql("DELETE FROM ops_agent_runs WHERE tenant_id = ?", tenant);

    assertBroken(audit(key(KEY), "verify", "--tenant", tenant), "runs missing after 0");
  }

  @Test
  void deletingAllRunsIsCaughtWithoutAKeyToo() throws Exception {
    String tenant = tenant();
    runs(tenant, AuditKeys.NONE, 3);
    sql("DELETE FROM ops_agent_runs WHERE tenant_id = ?", tenant);

    assertBroken(audit(Map.of(), "verify", "--tenant", tenant), "runs missing after 0");
  }

  @Test
  void swappingTheFinishTimesOfTwoRunsIsNamed() throws Exception {
    String tenant = tenant();
    List<String> ids = runs(tenant, keys(KEY), 6);
    Instant third = finishedAt(ids.get(2));
    Instant sixth = finishedAt(ids.get(5));
    sql("UPDATE ops_agent_runs SET finished_at = ? WHERE id = ?", sixth, ids.get(2));
    sql("UPDATE ops_agent_runs SET finished_at = ? WHERE id = ?", third, ids.get(5));

    // in chain order the sixth run now comes third, after a run it was not chained over
    assertBroken(audit(key(KEY), "verify", "--tenant", tenant), "run " + ids.get(5) + " was altered");
  }

  @Test
  void aRewrittenRunWithEveryLaterHashRecomputedIsNamed() throws Exception {
    String tenant = tenant();
    List<String> ids = runs(tenant, keys(KEY), 6);
    sql("UPDATE ops_agent_runs SET summary = 'all quiet' WHERE id = ?", ids.get(2));
    recomputeUnkeyed(tenant, ids.subList(2, 6), false);

    assertBroken(audit(key(KEY), "verify", "--tenant", tenant), "run " + ids.get(2) + " was altered");
  }

  @Test
  void aRewrittenRunPassedOffAsUnkeyedIsNamed() throws Exception {
    String tenant = tenant();
    List<String> ids = runs(tenant, keys(KEY), 6);
    sql("UPDATE ops_agent_runs SET summary = 'all quiet' WHERE id = ?", ids.get(2));
    recomputeUnkeyed(tenant, ids.subList(2, 6), true);

    assertBroken(audit(key(KEY), "verify", "--tenant", tenant),
        "run " + ids.get(2) + " is chained without the key after keyed runs");
  }

  @Test
  void aWholeChainRewrittenAsUnkeyedDoesNotEndAtTheSignedHead() throws Exception {
    String tenant = tenant();
    List<String> ids = runs(tenant, keys(KEY), 4);
    sql("UPDATE ops_agent_runs SET summary = 'all quiet' WHERE id = ?", ids.get(1));
    recomputeUnkeyed(tenant, ids, true);

    assertBroken(audit(key(KEY), "verify", "--tenant", tenant), "does not end at the audit head's hash");
  }

  @Test
  void deletingRunsAndHeadsIsCaughtOnlyAgainstAHeadKeptOutside() throws Exception {
    String tenant = tenant();
    runs(tenant, keys(KEY), 5);
    Result head = audit(key(KEY), "head", "--tenant", tenant);
    assertThat(head.exit()).as(head.output()).isEqualTo(0);
    String kept = head.stdout().lines().findFirst().orElseThrow();
    assertThat(kept).startsWith("5,").matches("5,[0-9a-f]{64},[^,]+,[0-9a-f]{16}:[0-9a-f]{64}");
    Result before = audit(key(KEY), "verify", "--tenant", tenant, "--head", kept);
    assertThat(before.exit()).as(before.output()).isEqualTo(0);
    assertThat(before.stdout()).contains("and the kept head");

    sql("DELETE FROM ops_agent_runs WHERE tenant_id = ?", tenant);
    sql("DELETE FROM ops_audit_heads WHERE tenant_id = ?", tenant);

    Result withoutKept = audit(key(KEY), "verify", "--tenant", tenant);
    assertThat(withoutKept.exit()).as("nothing left in the database to hold the chain against: %s",
        withoutKept.output()).isEqualTo(0);
    assertBroken(audit(key(KEY), "verify", "--tenant", tenant, "--head", kept), "runs missing after 0");
  }

  @Test
  void deletingTheKeyedRunsTailAndTheHeadIsCaughtAsAMissingHead() throws Exception {
    String tenant = tenant();
    List<String> ids = runs(tenant, keys(KEY), 4);
    sql("DELETE FROM ops_agent_runs WHERE id = ?", ids.get(3));
    sql("DELETE FROM ops_audit_heads WHERE tenant_id = ?", tenant);

    assertBroken(audit(key(KEY), "verify", "--tenant", tenant), "the audit head is missing");
  }

  @Test
  void anUnkeyedPrefixFollowedByKeyedRunsVerifiesAndReportsTheUnkeyedCount() throws Exception {
    String tenant = tenant();
    runs(tenant, AuditKeys.NONE, 3);
    runs(tenant, keys(KEY), 2);

    Result verify = audit(key(KEY), "verify", "--tenant", tenant);
    assertThat(verify.exit()).as(verify.output()).isEqualTo(0);
    assertThat(verify.stdout()).contains("5 run(s) verified; 3 of them unkeyed");
    var v = new RunRepository(jdbi, keys(KEY), Clock.systemUTC()).verifyChain(tenant);
    assertThat(v.unkeyed()).isEqualTo(3);
    assertThat(v.chained()).isEqualTo(5);
  }

  @Test
  void afterARotationRunsUnderThePreviousKeyVerifyWithOpsagentAuditKeyPrevious() throws Exception {
    String tenant = tenant();
    List<String> old = runs(tenant, keys(OLD_KEY), 2);
    runs(tenant, new AuditKeys(keys(KEY).current(), keys(OLD_KEY).current()), 2);

    Map<String, String> rotated = new HashMap<>(key(KEY));
    rotated.put("OPSAGENT_AUDIT_KEY_PREVIOUS", OLD_KEY);
    Result verify = audit(rotated, "verify", "--tenant", tenant);
    assertThat(verify.exit()).as(verify.output()).isEqualTo(0);
    assertThat(verify.stdout()).contains("4 run(s) verified");

    assertBroken(audit(key(KEY), "verify", "--tenant", tenant),
        "run " + old.get(0) + " is chained under key id");
  }

  @Test
  void aForgedCheckpointCannotPassADeletionOffAsRetention() throws Exception {
    String tenant = tenant();
    RunRepository repo = new RunRepository(jdbi, keys(KEY), Clock.systemUTC());
    List<String> ids = runs(tenant, keys(KEY), 3);
    Instant cutoff = Instant.now();
    await().until(() -> Instant.now().isAfter(cutoff));
    ids.addAll(runs(tenant, keys(KEY), 2));
    new Retention(jdbi, Duration.ofDays(90), Clock.fixed(cutoff.plus(Duration.ofDays(90)), ZoneOffset.UTC),
        keys(KEY)).purge();

    Result afterRetention = audit(key(KEY), "verify", "--tenant", tenant);
    assertThat(afterRetention.exit()).as(afterRetention.output()).isEqualTo(0);
    assertThat(afterRetention.stdout()).contains("2 run(s) verified", "audit head (5 run(s), signed)");

    // all runs gone, the checkpoint moved to where the head is: what retention would have left
    OpsRun last = repo.find(tenant, ids.get(4)).orElseThrow();
    sql("DELETE FROM ops_agent_runs WHERE tenant_id = ?", tenant);
    sql("UPDATE ops_audit_checkpoints SET chain_hash = ?, run_count = 5, finished_at = ? WHERE tenant_id = ?",
        last.chainHash(), last.finishedAt(), tenant);

    assertBroken(audit(key(KEY), "verify", "--tenant", tenant), "the audit checkpoint was altered");
  }

  @Test
  void anUnknownTenantOrABadHeadIsABadArgument() throws Exception {
    String tenant = tenant();
    runs(tenant, keys(KEY), 1);

    assertThat(audit(key(KEY), "verify", "--tenant", "no-such-tenant").exit()).isEqualTo(2);
    assertThat(audit(key(KEY), "head", "--tenant", "no-such-tenant").exit()).isEqualTo(2);
    Result bad = audit(key(KEY), "verify", "--tenant", tenant, "--head", "deadbeef");
    assertThat(bad.exit()).as(bad.output()).isEqualTo(2);
    assertThat(bad.stderr()).contains("--head must be a head as `audit head` prints it");
    String head = new RunRepository(jdbi, keys(KEY), Clock.systemUTC()).head(tenant).orElseThrow().token();
    String forged = head.substring(0, head.length() - 1) + (head.endsWith("0") ? "1" : "0");
    Result mistyped = audit(key(KEY), "verify", "--tenant", tenant, "--head", forged);
    assertThat(mistyped.exit()).as(mistyped.output()).isEqualTo(2);
    assertThat(mistyped.stderr()).contains("its signature does not match");
  }

  @Test
  void theKeyedChainAndItsHeadWorkOnTheEmbeddedDatabaseToo() {
    String url = "jdbc:hsqldb:mem:a" + io.opsagent.db.Ids.newId().replace("-", "")
        + ";sql.syntax_pgs=true;hsqldb.tx=mvcc";
    try (io.opsagent.db.Database embedded = io.opsagent.db.Database.open(url, "SA", "", 4)) {
      embedded.migrate();
      String tenant = new Fixtures(embedded).tenant("embedded").id();
      RunRepository repo = new RunRepository(embedded.jdbi(), keys(KEY), Clock.systemUTC());
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        String id = repo.start(tenant, Trigger.MANUAL).id();
        repo.finish(id, new RunOutcome(RunStatus.COMPLETED, "run " + i, "[]", TokenUsage.NONE, 1, "rules",
            null, null, null));
        Instant finished = repo.find(tenant, id).orElseThrow().finishedAt();
        await().until(() -> Instant.now().isAfter(finished));
        ids.add(id);
      }

      RunChain.Verification v = repo.verifyChain(tenant);
      assertThat(v.intact()).as(v.problem()).isTrue();
      assertThat(repo.head(tenant)).hasValueSatisfying(h -> {
        assertThat(h.runCount()).isEqualTo(3);
        assertThat(h.signed()).isTrue();
      });
      embedded.jdbi().useHandle(h -> h.execute("DELETE FROM ops_agent_runs WHERE id = ?", ids.get(2)));
      assertThat(repo.verifyChain(tenant).problem()).startsWith("runs missing after 2");
    }
  }

  @Test
  void aWorkerStartedWithoutTheKeyWarnsThatTheChainIsUnkeyed() throws Exception {
    try (TestDatabase own = TestDatabase.create(AuditChainTest.class)) {
      Map<String, String> env = Map.of("OPSAGENT_DB_URL", own.url(), "OPSAGENT_DB_USER", TestDatabase.USER,
          "OPSAGENT_DB_PASSWORD", TestDatabase.PASSWORD, "OPSAGENT_HTTP_PORT", "0");
      Map<String, String> keyed = new HashMap<>(env);
      keyed.putAll(key(KEY));
      for (Map<String, String> e : List.of(env, keyed)) {
        try (OpsagentProcess worker = OpsagentProcess.start(dir, e, "worker")) {
          await().atMost(Duration.ofSeconds(60))
              .until(() -> worker.stderr().contains("worker started") || !worker.isAlive());
          worker.terminate();
          assertThat(worker.awaitExit(60)).as(worker.stderr()).isEqualTo(0);
          if (e.containsKey("OPSAGENT_AUDIT_KEY")) {
            assertThat(worker.stderr()).doesNotContain("OPSAGENT_AUDIT_KEY is not set").contains("auditKey=***");
          } else {
            assertThat(worker.stderr()).contains("OPSAGENT_AUDIT_KEY is not set: runs are chained with plain SHA-256");
          }
        }
      }
    }
  }

  // --- helpers

  record Result(int exit, String stdout, String stderr) {
    String output() {
      return "stdout:\n" + stdout + "\nstderr:\n" + stderr;
    }
  }

  private static void assertBroken(Result r, String expected) {
    assertThat(r.exit()).as(r.output()).isEqualTo(1);
    assertThat(r.stdout()).as(r.output()).contains("audit chain broken").contains(expected);
  }

  private Result audit(Map<String, String> extra, String... args) throws Exception {
    Map<String, String> env = new HashMap<>(Map.of(
        "OPSAGENT_DB_URL", db.url(),
        "OPSAGENT_DB_USER", TestDatabase.USER,
        "OPSAGENT_DB_PASSWORD", TestDatabase.PASSWORD));
    env.putAll(extra);
    String[] command = new String[args.length + 1];
    command[0] = "audit";
    System.arraycopy(args, 0, command, 1, args.length);
    try (OpsagentProcess p = OpsagentProcess.start(dir, env, command)) {
      int exit = p.awaitExit(60);
      return new Result(exit, p.stdout(), p.stderr());
    }
  }

  private static Map<String, String> key(String key) {
    return Map.of("OPSAGENT_AUDIT_KEY", key);
  }

  /** The keys as the worker reads them from its environment. */
  private static AuditKeys keys(String key) {
    return AuditKeys.of(Config.fromEnv(key(key)).audit());
  }

  private static String newKey() {
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    return Base64.getEncoder().encodeToString(key);
  }

  private static String tenant() {
    return fixtures.tenant("audited").id();
  }

  /** {@code n} runs finished one after another (each in a later millisecond), chained under {@code keys}. */
  private static List<String> runs(String tenant, AuditKeys keys, int n) {
    RunRepository repo = new RunRepository(jdbi, keys, Clock.systemUTC());
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String id = repo.start(tenant, Trigger.MANUAL).id();
      repo.finish(id, new RunOutcome(RunStatus.COMPLETED, "run " + i, "[]", new TokenUsage(1, 1, 0, 0), 1,
          "rules", null, null, null));
      Instant finished = repo.find(tenant, id).orElseThrow().finishedAt();
      await().until(() -> Instant.now().isAfter(finished));
      ids.add(id);
    }
    return ids;
  }

  /**
   * What someone with database access but not the key can do: recompute {@code ids}' hashes (in
   * chain order, each over the one before) with the documented unkeyed algorithm, optionally marking
   * them as chained without a key.
   */
  private static void recomputeUnkeyed(String tenant, List<String> ids, boolean markUnkeyed) {
    RunRepository repo = new RunRepository(jdbi, Clock.systemUTC());
    String previous = jdbi.withHandle(h -> h.createQuery("""
            SELECT chain_hash FROM ops_agent_runs WHERE tenant_id = :t AND chain_hash IS NOT NULL
              AND (finished_at < :at) ORDER BY finished_at DESC, id DESC LIMIT 1""")
        .bind("t", tenant).bind("at", finishedAt(ids.get(0))).mapTo(String.class).findOne().orElse(""));
    for (String id : ids) {
      String hash = RunChain.hash(previous, repo.find(tenant, id).orElseThrow());
      sql("UPDATE ops_agent_runs SET chain_hash = ? WHERE id = ?", hash, id);
      if (markUnkeyed) {
        sql("UPDATE ops_agent_runs SET chain_key = NULL WHERE id = ?", id);
      }
      previous = hash;
    }
  }

  private static Instant finishedAt(String id) {
    return jdbi.withHandle(h -> h.createQuery("SELECT finished_at FROM ops_agent_runs WHERE id = :id")
        .bind("id", id).mapTo(Instant.class).one());
  }

  private static void sql(String sql, Object... args) {
    jdbi.useHandle(h -> h.execute(sql, args));
  }
}
