package io.opsagent.agent.run;

import io.opsagent.Json;
import io.opsagent.db.Database;
import io.opsagent.db.Ids;
import io.opsagent.db.Times;
import io.opsagent.queue.schedule.Trigger;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import javax.crypto.SecretKey;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * The audit trail of the agent: every cycle is a row, written {@code running} before any work and
 * finished exactly once ({@code completed} or {@code failed}), or written {@code skipped} at once.
 * Updates only touch a row that is still {@code running}, so a late writer can never overwrite a
 * recorded outcome. Each finished or skipped run is added to the tenant's daily usage rollup
 * ({@code ops_usage_daily}) in the same transaction.
 */
public final class RunRepository {
  public static final int MAX_SUMMARY = 16000;
  public static final int MAX_ERROR = 4000;
  public static final int MAX_REASONING = 64000;

  private final Jdbi jdbi;
  private final AuditKeys keys;
  private final Clock clock;

  /** Chains runs without a key (plain SHA-256), and verifies only such runs. */
  public RunRepository(Jdbi jdbi, Clock clock) {
    this(jdbi, AuditKeys.NONE, clock);
  }

  /** Chains runs under {@code keys}' current key when it has one; verifies with either of its keys. */
  public RunRepository(Jdbi jdbi, AuditKeys keys, Clock clock) {
    this.clock = clock;
    this.jdbi = jdbi.installPlugin(new RunRows());
    this.keys = keys;
  }

  /** Writes a {@code running} row; {@code runId} is the id allocated when the cycle was queued, or null. */
  public OpsRun start(String tenantId, Trigger trigger, String runId) {
    String id = runId == null ? Ids.newId() : runId;
    Instant now = Times.current(clock);
    jdbi.useHandle(h -> h.createUpdate("""
            INSERT INTO ops_agent_runs (id, tenant_id, status, "trigger", started_at, actions_json,
                input_tokens, output_tokens, steps)
            VALUES (:id, :tenantId, 'running', :trigger, :startedAt, '[]', 0, 0, 0)""")
        .bind("id", id)
        .bind("tenantId", tenantId)
        .bind("trigger", trigger.wire())
        .bind("startedAt", now)
        .execute());
    return new OpsRun(id, tenantId, RunStatus.RUNNING, trigger, now, null, null, "[]", 0, 0, 0,
        null, null, null, null, 0, 0, null, false, null, null, List.of(), null);
  }

  public OpsRun start(String tenantId, Trigger trigger) {
    return start(tenantId, trigger, null);
  }

  /**
   * Records the tool calls made so far by a running run, so a crash mid-cycle keeps them; false if
   * the run is no longer running.
   */
  public boolean recordActions(String runId, String actionsJson) {
    return jdbi.withHandle(h -> h.createUpdate(
            "UPDATE ops_agent_runs SET actions_json = :a WHERE id = :id AND status = 'running'")
        .bind("id", runId)
        .bind("a", actionsJson)
        .execute()) == 1;
  }

  /** Records the outcome of a running run; false (writing nothing) if it was no longer running. */
  public boolean finish(String runId, RunOutcome o) {
    return jdbi.inTransaction(h -> {
      int updated = h.createUpdate("""
              UPDATE ops_agent_runs
              SET status = :status, finished_at = :finishedAt, summary = :summary,
                  actions_json = :actionsJson, input_tokens = :input, output_tokens = :output,
                  cache_read_tokens = :cacheRead, cache_write_tokens = :cacheWrite, steps = :steps,
                  model = :model, fallback_reason = :fallback, cost_usd = :cost, error = :error,
                  dry_run = :dryRun, reasoning = :reasoning, prompt_sha256 = :promptSha256,
                  request_ids = :requestIds
              WHERE id = :id AND status = 'running'""")
          .bind("id", runId)
          .bind("status", o.status().wire())
          .bind("finishedAt", Times.current(clock))
          .bind("summary", Json.truncate(o.summary(), MAX_SUMMARY))
          .bind("actionsJson", o.actionsJson())
          .bind("input", o.tokens().input())
          .bind("output", o.tokens().output())
          .bind("cacheRead", o.tokens().cacheRead())
          .bind("cacheWrite", o.tokens().cacheWrite())
          .bind("steps", o.steps())
          .bind("model", o.model())
          .bind("fallback", o.fallbackReason() == null ? null : o.fallbackReason().wire())
          .bind("cost", o.costUsd())
          .bind("error", Json.truncate(o.error(), MAX_ERROR))
          .bind("dryRun", o.dryRun())
          .bind("reasoning", Json.truncate(o.reasoning(), MAX_REASONING))
          .bind("promptSha256", o.promptSha256())
          .bind("requestIds", o.requestIds().isEmpty() ? null : String.join(",", o.requestIds()))
          .execute();
      if (updated == 1) {
        String tenantId = chain(h, runId).tenantId();
        addUsage(h, tenantId, 0, o.steps(), o.tokens(), o.costUsd());
      }
      return updated == 1;
    });
  }

  /** Records a cycle that was not reviewed (circuit open, or nothing changed). */
  public OpsRun skipped(String tenantId, Trigger trigger, String runId, SkipReason reason, String summary) {
    Instant now = Times.current(clock);
    String id = runId == null ? Ids.newId() : runId;
    jdbi.useTransaction(h -> {
      h.createUpdate("""
              INSERT INTO ops_agent_runs (id, tenant_id, status, "trigger", started_at, finished_at,
                  summary, actions_json, input_tokens, output_tokens, steps, skip_reason, cost_usd)
              VALUES (:id, :tenantId, 'skipped', :trigger, :now, :now, :summary, '[]', 0, 0, 0,
                  :skip, 0)""")
          .bind("id", id)
          .bind("tenantId", tenantId)
          .bind("trigger", trigger.wire())
          .bind("now", now)
          .bind("summary", Json.truncate(summary, MAX_SUMMARY))
          .bind("skip", reason.wire())
          .execute();
      addUsage(h, tenantId, 1, 0, TokenUsage.NONE, BigDecimal.ZERO);
      chain(h, id);
    });
    return find(tenantId, id).orElseThrow();
  }

  /**
   * Marks the tenant's {@code running} rows as failed, each with the {@code error} {@code reason}
   * gives for its id. Called under the tenant's cycle lock, so any such row belongs to a cycle whose
   * holder lost the lock (its process died, or its database session ended). Returns how many were
   * marked.
   */
  public int failOrphaned(String tenantId, Function<String, String> reason) {
    return jdbi.inTransaction(h -> {
      List<String> ids = h.createQuery(
              "SELECT id FROM ops_agent_runs WHERE tenant_id = :tenantId AND status = 'running' ORDER BY id")
          .bind("tenantId", tenantId).mapTo(String.class).list();
      for (String id : ids) {
        h.createUpdate("""
                UPDATE ops_agent_runs SET status = 'failed', finished_at = :now, error = :error
                WHERE id = :id AND status = 'running'""")
            .bind("id", id)
            .bind("now", Times.current(clock))
            .bind("error", Json.truncate(reason.apply(id), MAX_ERROR))
            .execute();
        chain(h, id);
      }
      return ids.size();
    });
  }

  /**
   * Links the just-finished run {@code runId} to its tenant's chain: stores its {@code chainHash}
   * over the previous chained run's hash (or the tenant's audit checkpoint) and its recorded fields,
   * read back as stored (HMAC under {@code OPSAGENT_AUDIT_KEY} when set, recorded in
   * {@code chain_key}), and moves the tenant's audit head to it. Called in the transaction that
   * finishes the run, under the tenant's cycle lock.
   */
  private OpsRun chain(Handle h, String runId) {
    OpsRun run = h.createQuery("SELECT * FROM ops_agent_runs WHERE id = :id")
        .bind("id", runId).mapTo(OpsRun.class).one();
    String previous = h.createQuery("""
            SELECT chain_hash FROM ops_agent_runs
            WHERE tenant_id = :tenantId AND chain_hash IS NOT NULL AND id <> :id
            ORDER BY finished_at DESC, id DESC LIMIT 1""")
        .bind("tenantId", run.tenantId()).bind("id", runId).mapTo(String.class).findOne()
        .or(() -> checkpoint(h, run.tenantId()).map(Checkpoint::chainHash))
        .orElse("");
    Optional<SecretKey> key = keys.current();
    String hash = key.map(k -> RunChain.hmac(k, previous, run)).orElseGet(() -> RunChain.hash(previous, run));
    h.createUpdate("UPDATE ops_agent_runs SET chain_hash = :hash, chain_key = :key WHERE id = :id")
        .bind("hash", hash).bind("key", key.map(AuditKeys::id).orElse(null)).bind("id", runId).execute();
    moveHead(h, run.tenantId(), hash, key);
    return run;
  }

  /**
   * Moves the tenant's audit head one run on, to {@code hash}, and signs it under {@code key}. The
   * first head of a chain counts what the chain already holds (its checkpoint's count and its
   * chained runs, this one included).
   */
  private void moveHead(Handle h, String tenantId, String hash, Optional<SecretKey> key) {
    Instant now = Times.current(clock);
    int moved = h.createUpdate("""
            UPDATE ops_audit_heads SET run_count = run_count + 1, chain_hash = :hash, updated_at = :at
            WHERE tenant_id = :tenantId""")
        .bind("tenantId", tenantId).bind("hash", hash).bind("at", now).execute();
    long count;
    if (moved == 0) {
      count = checkpoint(h, tenantId).map(Checkpoint::runCount).orElse(0L) + h.createQuery(
              "SELECT COUNT(*) FROM ops_agent_runs WHERE tenant_id = :tenantId AND chain_hash IS NOT NULL")
          .bind("tenantId", tenantId).mapTo(Long.class).one();
      h.createUpdate("""
              INSERT INTO ops_audit_heads (tenant_id, run_count, chain_hash, updated_at)
              VALUES (:tenantId, :count, :hash, :at)""")
          .bind("tenantId", tenantId).bind("count", count).bind("hash", hash).bind("at", now).execute();
    } else {
      count = h.createQuery("SELECT run_count FROM ops_audit_heads WHERE tenant_id = :tenantId")
          .bind("tenantId", tenantId).mapTo(Long.class).one();
    }
    AuditHead head = AuditHead.sign(tenantId, count, hash, now, key);
    h.createUpdate("UPDATE ops_audit_heads SET key_id = :keyId, signature = :signature WHERE tenant_id = :tenantId")
        .bind("tenantId", tenantId).bind("keyId", head.keyId()).bind("signature", head.signature()).execute();
  }

  /**
   * Where a tenant's chain starts once retention deleted its oldest runs: the last deleted run's
   * {@code chainHash}, how many runs were deleted, and the signature {@code Retention} made over them.
   */
  record Checkpoint(String chainHash, long runCount, Instant finishedAt, String keyId, String signature) {
    Optional<Boolean> signatureValid(String tenantId, AuditKeys keys) {
      return keys.find(keyId).map(k -> AuditKeys.same(signature,
          AuditKeys.hmacHex(k, RunChain.checkpointText(tenantId, runCount, chainHash, finishedAt))));
    }
  }

  private static Optional<Checkpoint> checkpoint(Handle h, String tenantId) {
    return h.createQuery("SELECT * FROM ops_audit_checkpoints WHERE tenant_id = :tenantId")
        .bind("tenantId", tenantId)
        .map((rs, ctx) -> new Checkpoint(rs.getString("chain_hash"), rs.getLong("run_count"),
            Times.instant(rs.getTimestamp("finished_at")), rs.getString("key_id"), rs.getString("signature")))
        .findOne();
  }

  private static Optional<AuditHead> head(Handle h, String tenantId) {
    return h.createQuery("SELECT * FROM ops_audit_heads WHERE tenant_id = :tenantId")
        .bind("tenantId", tenantId)
        .map((rs, ctx) -> new AuditHead(rs.getLong("run_count"), rs.getString("chain_hash"),
            Times.instant(rs.getTimestamp("updated_at")), rs.getString("key_id"), rs.getString("signature")))
        .findOne();
  }

  /** The tenant's stored audit head, as last written; empty before its first chained run. */
  public Optional<AuditHead> head(String tenantId) {
    return jdbi.withHandle(h -> head(h, tenantId));
  }

  /** {@link #verifyChain(String, Optional)} against the stored head only. */
  public RunChain.Verification verifyChain(String tenantId) {
    return verifyChain(tenantId, Optional.empty());
  }

  private record Linked(OpsRun run, String chainKey) {}

  /**
   * Recomputes the tenant's run chain from its checkpoint (or the start), each run with the way it
   * was chained (plain SHA-256, or HMAC under the current or the previous key), then holds the result
   * against the stored audit head and, when given, a head {@code kept} outside the database. Broken
   * when: a run's stored {@code chainHash} differs from the recomputed one (it was altered, reordered,
   * or one before it was removed); a run chained without a key follows a keyed one; a run names a key
   * that is not configured; the checkpoint or the head is signed but its signature fails, or unsigned
   * although the chain is keyed; the head is missing although the chain is keyed; the chain holds
   * fewer runs than a head records ("runs missing after N"), more, or ends elsewhere. Finished runs
   * from before the chain existed are counted as unchained.
   */
  public RunChain.Verification verifyChain(String tenantId, Optional<AuditHead> kept) {
    return jdbi.inTransaction(h -> {
      Optional<Checkpoint> checkpoint = checkpoint(h, tenantId);
      Optional<AuditHead> head = head(h, tenantId);
      List<Linked> chained = h.createQuery("""
              SELECT * FROM ops_agent_runs WHERE tenant_id = :tenantId AND chain_hash IS NOT NULL
              ORDER BY finished_at, id""")
          .bind("tenantId", tenantId)
          .map((rs, ctx) -> new Linked(ctx.findRowMapperFor(OpsRun.class).orElseThrow().map(rs, ctx),
              rs.getString("chain_key")))
          .list();
      int unchained = h.createQuery("""
              SELECT COUNT(*) FROM ops_agent_runs
              WHERE tenant_id = :tenantId AND chain_hash IS NULL AND status <> 'running'""")
          .bind("tenantId", tenantId).mapTo(Integer.class).one();
      var found = new Object() {
        int unkeyed;
        long position = checkpoint.map(Checkpoint::runCount).orElse(0L);

        RunChain.Verification broken(String runId, Long missingAfter, String problem) {
          return new RunChain.Verification(chained.size(), unchained, unkeyed, position, runId, missingAfter,
              problem, head.orElse(null));
        }
      };
      long base = found.position;
      boolean checkpointSigned = checkpoint.map(c -> c.signature() != null).orElse(false);
      if (checkpointSigned) {
        Optional<Boolean> valid = checkpoint.get().signatureValid(tenantId, keys);
        if (valid.isEmpty()) {
          return found.broken(null, null, "the audit checkpoint is signed with key id "
              + checkpoint.get().keyId() + ", which is neither OPSAGENT_AUDIT_KEY nor OPSAGENT_AUDIT_KEY_PREVIOUS:"
              + " set the key it was signed with to verify it");
        }
        if (!valid.get()) {
          return found.broken(null, null, "the audit checkpoint was altered (its signature does not match)");
        }
      }
      String previous = checkpoint.map(Checkpoint::chainHash).orElse("");
      boolean keyedSeen = false;
      for (Linked link : chained) {
        OpsRun run = link.run();
        String expected;
        if (link.chainKey() == null) {
          if (keyedSeen) {
            return found.broken(run.id(), null, "run " + run.id() + " is chained without the key after keyed"
                + " runs: it was rewritten");
          }
          expected = RunChain.hash(previous, run);
          found.unkeyed++;
        } else {
          Optional<SecretKey> key = keys.find(link.chainKey());
          if (key.isEmpty()) {
            return found.broken(run.id(), null, "run " + run.id() + " is chained under key id " + link.chainKey()
                + ", which is neither OPSAGENT_AUDIT_KEY nor OPSAGENT_AUDIT_KEY_PREVIOUS: set the key it was"
                + " chained with to verify it");
          }
          if (found.position == base && checkpoint.isPresent() && !checkpointSigned) {
            return found.broken(run.id(), null, "the audit checkpoint before run " + run.id()
                + " is not signed, but that run is keyed: the checkpoint was rewritten");
          }
          expected = RunChain.hmac(key.get(), previous, run);
          keyedSeen = true;
        }
        if (!AuditKeys.same(expected, run.chainHash())) {
          return found.broken(run.id(), null, "run " + run.id() + " was altered (its recorded content no longer"
              + " matches its chainHash)");
        }
        previous = run.chainHash();
        found.position++;
      }
      boolean keyedChain = keyedSeen || checkpointSigned;
      String last = chained.isEmpty() ? null : chained.get(chained.size() - 1).run().id();
      if (head.isEmpty()) {
        if (keyedChain) {
          return found.broken(null, null, "the audit head is missing although the chain is keyed: it was deleted");
        }
      } else {
        AuditHead stored = head.get();
        if (stored.signed()) {
          Optional<Boolean> valid = stored.signatureValid(tenantId, keys);
          if (valid.isEmpty()) {
            return found.broken(null, null, "the audit head is signed with key id " + stored.keyId()
                + ", which is neither OPSAGENT_AUDIT_KEY nor OPSAGENT_AUDIT_KEY_PREVIOUS: set the key it was"
                + " signed with to verify it");
          }
          if (!valid.get()) {
            return found.broken(null, null, "the audit head was altered (its signature does not match)");
          }
        } else if (keyedChain) {
          return found.broken(null, null, "the audit head is not signed although the chain is keyed: it was"
              + " rewritten");
        }
        String problem = against("the audit head", stored, found.position, base, previous, chained);
        if (problem != null) {
          return found.broken(problem.startsWith("runs missing") ? null : runAt(chained, base, stored.runCount() + 1, last),
              problem.startsWith("runs missing") ? found.position : null, problem);
        }
      }
      if (kept.isPresent()) {
        AuditHead k = kept.get();
        if (found.position < k.runCount()) {
          return found.broken(null, found.position, missing("the kept head", k, found.position));
        }
        if (k.runCount() > base) {
          String at = chained.get((int) (k.runCount() - base - 1)).run().chainHash();
          if (!at.equals(k.chainHash())) {
            String runId = runAt(chained, base, k.runCount(), last);
            return found.broken(runId, null, "run " + runId + " (run " + k.runCount() + " of the chain) does not"
                + " end the kept head: the chain was rewritten up to it");
          }
        } else if (k.runCount() == base && checkpoint.isPresent()
            && !checkpoint.get().chainHash().equals(k.chainHash())) {
          return found.broken(null, null, "the audit checkpoint does not match the kept head: the chain was"
              + " rewritten");
        }
      }
      return new RunChain.Verification(chained.size(), unchained, found.unkeyed, found.position, null, null, null,
          head.orElse(null));
    });
  }

  /** Why the chain (ending at {@code last} after {@code position} runs) disagrees with {@code head}, or null. */
  private static String against(String what, AuditHead head, long position, long base, String last,
      List<Linked> chained) {
    if (position < head.runCount()) {
      return missing(what, head, position);
    }
    if (position > head.runCount()) {
      String runId = runAt(chained, base, head.runCount() + 1, null);
      return "run " + runId + " is past " + what + " (" + head.runCount() + " run(s)): it was added";
    }
    if (!last.equals(head.chainHash())) {
      return "the chain does not end at " + what + "'s hash " + head.chainHash() + ": runs were rewritten";
    }
    return null;
  }

  private static String missing(String what, AuditHead head, long position) {
    return "runs missing after " + position + ": " + what + " records " + head.runCount() + " run(s) ending at "
        + head.chainHash();
  }

  /** The id of the chain's run number {@code n} (counted from its start), or {@code otherwise}. */
  private static String runAt(List<Linked> chained, long base, long n, String otherwise) {
    long i = n - base - 1;
    return i >= 0 && i < chained.size() ? chained.get((int) i).run().id() : otherwise;
  }

  public Optional<OpsRun> find(String tenantId, String runId) {
    return jdbi.withHandle(h -> h.createQuery(
            "SELECT * FROM ops_agent_runs WHERE id = :id AND tenant_id = :tenantId")
        .bind("id", runId)
        .bind("tenantId", tenantId)
        .mapTo(OpsRun.class)
        .findOne());
  }

  /** The tenant's most recent runs, newest first. */
  public List<OpsRun> recent(String tenantId, int limit) {
    return jdbi.withHandle(h -> h.createQuery("""
            SELECT * FROM ops_agent_runs WHERE tenant_id = :tenantId
            ORDER BY started_at DESC, id DESC LIMIT :limit""")
        .bind("tenantId", tenantId)
        .bind("limit", limit)
        .mapTo(OpsRun.class)
        .list());
  }

  /**
   * When the tenant's last completed review started (by the model or the rules engine): the start of
   * the window of events the next review is shown. A skipped or failed run reviewed nothing, so the
   * events it would have shown stay in the window.
   */
  public Optional<Instant> lastReviewStart(String tenantId) {
    return Optional.ofNullable(jdbi.withHandle(h -> h.createQuery("""
            SELECT MAX(started_at) FROM ops_agent_runs
            WHERE tenant_id = :tenantId AND status = 'completed'""")
        .bind("tenantId", tenantId)
        .mapTo(Instant.class)
        .one()));
  }

  /** Per UTC day, newest first, at most {@code days} days ending today. */
  public List<DailyUsage> usage(String tenantId, int days) {
    LocalDate from = LocalDate.now(ZoneOffset.UTC).minusDays(days - 1L);
    return jdbi.withHandle(h -> h.createQuery("""
            SELECT * FROM ops_usage_daily WHERE tenant_id = :tenantId AND day >= :from
            ORDER BY day DESC""")
        .bind("tenantId", tenantId)
        .bind("from", from)
        .map((rs, ctx) -> new DailyUsage(rs.getObject("day", LocalDate.class), rs.getInt("runs"),
            rs.getInt("skipped_runs"), rs.getInt("model_calls"),
            new TokenUsage(rs.getLong("input_tokens"), rs.getLong("output_tokens"),
                rs.getLong("cache_read_tokens"), rs.getLong("cache_write_tokens")),
            rs.getBigDecimal("cost_usd")))
        .list());
  }

  /** One tenant-day of {@code ops_usage_daily}. */
  public record DailyUsage(LocalDate day, int runs, int skippedRuns, int modelCalls, TokenUsage tokens,
      BigDecimal costUsd) {}

  private static void addUsage(Handle h, String tenantId, int skipped, int modelCalls, TokenUsage t,
      BigDecimal cost) {
    String sql = Database.embedded(h) ? """
        MERGE INTO ops_usage_daily u
        USING (VALUES (CAST(:tenantId AS VARCHAR(36)), CAST(:day AS DATE))) AS k (tenant_id, day)
        ON u.tenant_id = k.tenant_id AND u.day = k.day
        WHEN MATCHED THEN UPDATE SET runs = u.runs + 1, skipped_runs = u.skipped_runs + :skipped,
            model_calls = u.model_calls + :calls, input_tokens = u.input_tokens + :input,
            output_tokens = u.output_tokens + :output,
            cache_read_tokens = u.cache_read_tokens + :cacheRead,
            cache_write_tokens = u.cache_write_tokens + :cacheWrite, cost_usd = u.cost_usd + :cost
        WHEN NOT MATCHED THEN INSERT (tenant_id, day, runs, skipped_runs, model_calls, input_tokens,
            output_tokens, cache_read_tokens, cache_write_tokens, cost_usd)
            VALUES (k.tenant_id, k.day, 1, :skipped, :calls, :input, :output, :cacheRead, :cacheWrite,
            :cost)""" : """
        INSERT INTO ops_usage_daily AS u (tenant_id, day, runs, skipped_runs, model_calls, input_tokens,
            output_tokens, cache_read_tokens, cache_write_tokens, cost_usd)
        VALUES (:tenantId, :day, 1, :skipped, :calls, :input, :output, :cacheRead, :cacheWrite, :cost)
        ON CONFLICT (tenant_id, day) DO UPDATE SET runs = u.runs + 1,
            skipped_runs = u.skipped_runs + EXCLUDED.skipped_runs,
            model_calls = u.model_calls + EXCLUDED.model_calls,
            input_tokens = u.input_tokens + EXCLUDED.input_tokens,
            output_tokens = u.output_tokens + EXCLUDED.output_tokens,
            cache_read_tokens = u.cache_read_tokens + EXCLUDED.cache_read_tokens,
            cache_write_tokens = u.cache_write_tokens + EXCLUDED.cache_write_tokens,
            cost_usd = u.cost_usd + EXCLUDED.cost_usd""";
    h.createUpdate(sql)
        .bind("tenantId", tenantId)
        .bind("day", LocalDate.now(ZoneOffset.UTC))
        .bind("skipped", skipped)
        .bind("calls", modelCalls)
        .bind("input", t.input())
        .bind("output", t.output())
        .bind("cacheRead", t.cacheRead())
        .bind("cacheWrite", t.cacheWrite())
        .bind("cost", cost == null ? BigDecimal.ZERO : cost)
        .execute();
  }
}
