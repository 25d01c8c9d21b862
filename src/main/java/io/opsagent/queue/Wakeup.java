package io.opsagent.queue;

import io.opsagent.db.Database;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts a job queued for now within milliseconds, in whichever worker has a free thread, instead
 * of at the queue's next poll. {@link #wake} asks this process's scheduler of that queue to look
 * for due jobs at once and, on PostgreSQL, sends {@code NOTIFY opsagent_wakeup} so every other
 * worker's listener does the same. The listener holds one dedicated connection and reconnects
 * after a failure (then checks every queue once, for what it may have missed).
 *
 * <p>Polling stays the safety net: a lost notification costs latency, never a job. The embedded
 * database serves one process, so there only the local wake-up applies.
 */
public final class Wakeup implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Wakeup.class);
  static final String CHANNEL = "opsagent_wakeup";
  private static final Duration RECONNECT_DELAY = Duration.ofSeconds(1);

  private final Database db;
  private final Map<String, Runnable> local = new ConcurrentHashMap<>();
  private final CountDownLatch stopped = new CountDownLatch(1);
  private volatile Thread listener;

  public Wakeup(Database db) {
    this.db = db;
  }

  /** Registers this process's scheduler of {@code queue}: {@code check} looks for due jobs now. */
  public void register(JobType.Queue queue, Runnable check) {
    local.put(queue.queueName(), check);
  }

  /** Tells every worker (this one included) that {@code queue} has a job due now. */
  public void wake(JobType.Queue queue) {
    checkLocally(queue.queueName());
    if (db.embedded()) {
      return;
    }
    try {
      db.jdbi().useHandle(h -> h.createQuery("SELECT pg_notify(:channel, :queue)")
          .bind("channel", CHANNEL)
          .bind("queue", queue.queueName())
          .mapTo(String.class)
          .one());
    } catch (RuntimeException e) {
      log.warn("wake-up notification not sent queue={} error={} (other workers will poll)",
          queue.queueName(), e.toString());
    }
  }

  /** Starts listening for other workers' wake-ups (PostgreSQL only; idempotent). */
  public synchronized void start() {
    if (db.embedded() || listener != null) {
      return;
    }
    listener = new Thread(this::listen, "opsagent-wakeup-listener");
    listener.setDaemon(true);
    listener.start();
  }

  private void listen() {
    while (stopped.getCount() > 0) {
      try (Connection c = db.openDedicatedConnection()) {
        try (Statement s = c.createStatement()) {
          s.execute("LISTEN " + CHANNEL);
        }
        local.keySet().forEach(this::checkLocally); // anything sent while we were not listening
        PGConnection pg = c.unwrap(PGConnection.class);
        while (stopped.getCount() > 0) {
          PGNotification[] received = pg.getNotifications(500);
          if (received != null) {
            for (PGNotification n : received) {
              checkLocally(n.getParameter());
            }
          }
        }
      } catch (SQLException | RuntimeException e) {
        if (stopped.getCount() > 0) {
          log.warn("wake-up listener lost its connection, reconnecting in {} error={}",
              RECONNECT_DELAY, e.toString());
          awaitStop(RECONNECT_DELAY);
        }
      }
    }
  }

  private void checkLocally(String queueName) {
    Runnable check = local.get(queueName);
    if (check != null) {
      try {
        check.run();
      } catch (RuntimeException e) {
        log.debug("local wake-up failed queue={} error={}", queueName, e.toString());
      }
    }
  }

  private void awaitStop(Duration d) {
    try {
      stopped.await(d.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    stopped.countDown();
    Thread t = listener;
    if (t != null) {
      try {
        t.join(2_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
