package io.opsagent.agent.cycle;

import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.LoggerFactory;

/**
 * At most one cycle per tenant at a time, whoever runs it: a worker's queue, another worker, or the
 * {@code cycle} command. On PostgreSQL it is a session advisory lock held on a connection of its own
 * for the whole cycle, so the database releases it by itself when the holder dies — which is what
 * makes a {@code running} row found by the next holder certainly orphaned. The embedded database
 * serves one process only, so a lock within the JVM suffices there.
 */
public sealed interface TenantCycleLock {

  /** The held lock, released by {@link Held#close()}; empty while another holder has it. */
  Optional<Held> tryLock(String tenantId);

  interface Held extends AutoCloseable {
    /**
     * False once the lock is lost without {@link #close()} (its database session died): another
     * holder may then run the tenant's cycle, so this one must stop before its next side effect.
     */
    default boolean isHeld() {
      return true;
    }

    @Override
    void close();
  }

  /** The advisory lock on PostgreSQL, the in-process lock on any other (embedded) database. */
  static TenantCycleLock forJdbi(Jdbi jdbi) {
    String product = jdbi.withHandle(h -> {
      try {
        return h.getConnection().getMetaData().getDatabaseProductName();
      } catch (java.sql.SQLException e) {
        throw new IllegalStateException("cannot tell which database this is", e);
      }
    });
    return "PostgreSQL".equals(product) ? new Advisory(jdbi) : new InProcess();
  }

  /** A JVM-wide set of tenants whose cycle runs here. */
  final class InProcess implements TenantCycleLock {
    private static final Set<String> HELD = ConcurrentHashMap.newKeySet();

    @Override
    public Optional<Held> tryLock(String tenantId) {
      return HELD.add(tenantId) ? Optional.of(() -> HELD.remove(tenantId)) : Optional.empty();
    }
  }

  /** {@code pg_try_advisory_lock} on a 64-bit hash of the tenant id, in a session of its own. */
  final class Advisory implements TenantCycleLock {
    private final Jdbi jdbi;

    Advisory(Jdbi jdbi) {
      this.jdbi = jdbi;
    }

    @Override
    public Optional<Held> tryLock(String tenantId) {
      Handle session = jdbi.open();
      try {
        if (!session.createQuery("SELECT pg_try_advisory_lock(hashtextextended(:t, 0))")
            .bind("t", tenantId).mapTo(Boolean.class).one()) {
          session.close();
          return Optional.empty();
        }
      } catch (RuntimeException e) {
        session.close();
        throw e;
      }
      return Optional.of(new Held() {
        @Override
        public boolean isHeld() {
          try {
            return session.getConnection().isValid(2);
          } catch (java.sql.SQLException e) {
            return false;
          }
        }

        @Override
        public void close() {
          try (session) {
            session.createQuery("SELECT pg_advisory_unlock(hashtextextended(:t, 0))")
                .bind("t", tenantId).mapTo(Boolean.class).one();
          } catch (RuntimeException e) {
            // An unlock fails only on a broken connection, which the pool then discards: the
            // database ends that session and its lock with it.
            LoggerFactory.getLogger(TenantCycleLock.class).warn(
                "cycle lock release failed tenant={} error={}", tenantId, e.toString());
          }
        }
      });
    }
  }
}
