package io.opsagent.queue;

import com.github.kagkarlsson.scheduler.Scheduler;
import com.github.kagkarlsson.scheduler.SchedulerBuilder;
import com.github.kagkarlsson.scheduler.SchedulerClient;
import com.github.kagkarlsson.scheduler.SchedulerName;
import com.github.kagkarlsson.scheduler.exceptions.FailedToScheduleBatchException;
import com.github.kagkarlsson.scheduler.exceptions.TaskInstanceException;
import com.github.kagkarlsson.scheduler.jdbc.DefaultJdbcCustomization;
import com.github.kagkarlsson.scheduler.jdbc.JdbcCustomization;
import com.github.kagkarlsson.scheduler.jdbc.PostgreSqlJdbcCustomization;
import com.github.kagkarlsson.scheduler.serializer.JacksonSerializer;
import com.github.kagkarlsson.scheduler.serializer.Serializer;
import com.github.kagkarlsson.scheduler.task.FailureHandler;
import com.github.kagkarlsson.scheduler.task.SchedulableInstance;
import com.github.kagkarlsson.scheduler.task.Task;
import com.github.kagkarlsson.scheduler.task.TaskInstanceId;
import com.github.kagkarlsson.scheduler.task.helper.OneTimeTask;
import com.github.kagkarlsson.scheduler.task.helper.RecurringTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import io.opsagent.config.Config;
import io.opsagent.db.Database;
import io.opsagent.db.Ids;
import java.net.InetAddress;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The two queues of opsagent, after the original {@code queues.ts}: {@code ops-agent} (agent cycles)
 * and {@code deployment} (the platform's deployment jobs); a third scheduler, for notification
 * deliveries, is built here too ({@link #notificationScheduler}) and run by the notifier. Each is its own db-scheduler
 * {@link Scheduler} over its own table with its own threads, so a long agent cycle never delays a
 * deployment job and vice versa.
 *
 * <p>Guarantees, from db-scheduler: a job is a row; it survives restarts; a row is picked by at
 * most one process of the cluster at a time (on PostgreSQL with {@code SELECT ... FOR UPDATE SKIP
 * LOCKED}; on the embedded HSQLDB with an optimistic, version-checked pick). A process that dies
 * mid-job stops heartbeating; after {@code heartbeat × 4} another process revives the job (all in
 * all within {@link #worstCaseTakeover(Config)}).
 */
public final class Queues implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Queues.class);

  /** db-scheduler's minimum; with the default 8 s heartbeat a dead job is revived within ~50 s. */
  static final int MISSED_HEARTBEATS_LIMIT = 4;

  /**
   * The longest a job of a process killed mid-job (SIGKILL, OOM, power loss) stays unclaimed: its
   * last heartbeat may be up to {@code MISSED_HEARTBEATS_LIMIT} heartbeats old before it counts as
   * dead, db-scheduler looks for dead jobs every 2 heartbeats, and the revived job is picked at the
   * next poll. With the defaults (8 s, 2 s): 8 × (4 + 2) + 2 = 50 s.
   */
  static Duration worstCaseTakeover(Config.Scheduling scheduling) {
    return scheduling.heartbeatInterval().multipliedBy(MISSED_HEARTBEATS_LIMIT + 2L).plus(scheduling.pollInterval());
  }

  /** How long {@link #stop()} waits for running jobs before interrupting them. */
  static final Duration SHUTDOWN_MAX_WAIT = Duration.ofMinutes(2);

  /** Long enough for a cycle to finish its model call, retries included, so it is not cut short. */
  static Duration shutdownMaxWait(Config.Llm llm) {
    Duration modelWorstCase = llm.timeout().multipliedBy(llm.maxRetries() + 1L)
        .plusSeconds(30);
    return modelWorstCase.compareTo(SHUTDOWN_MAX_WAIT) > 0 ? modelWorstCase : SHUTDOWN_MAX_WAIT;
  }
  private static final Serializer SERIALIZER = new JacksonSerializer();

  /**
   * A deployment job that throws is retried this often at most ({@code OPSAGENT_ACTION_RETRY_BACKOFF},
   * doubling); a handler that must record its final failure counts its own attempts against it.
   */
  public static final int DEPLOYMENT_JOB_MAX_RETRIES = 5;

  /** The deployment task as a client sees it (a client schedules and cancels, never executes). */
  private static final OneTimeTask<DeploymentJob> DEPLOYMENT_CLIENT_TASK =
      Tasks.oneTime(JobType.DEPLOYMENT_JOB.taskName(), DeploymentJob.class).execute((i, c) -> {
        throw new IllegalStateException("a scheduler client does not run jobs");
      });

  private final Scheduler ops;
  private final Scheduler deployment;
  private final Duration takeover;
  private final OneTimeTask<DeploymentJob> deploymentTask;
  private final Clock clock;

  /**
   * Builds both schedulers (not started). {@code opsCycleTask} is the {@link JobType#OPS_CYCLE}
   * task (see {@code OpsScheduler#task()}); {@code deploymentJobs} runs the deployment queue's jobs.
   */
  public Queues(Database db, Config.Scheduling scheduling, Config.Llm llm, Config.Actions actions,
      Task<?> opsCycleTask, DeploymentJobHandler deploymentJobs, Clock clock) {
    this(db, scheduling, llm, actions, opsCycleTask, deploymentJobs, List.of(), clock);
  }

  /**
   * As above, plus recurring tasks run on the deployment queue (e.g. the daily retention purge): each
   * is one row in the queue's table, created at the first start, so one process of the cluster runs
   * each occurrence. {@code llm}: a cycle's model calls, which a graceful stop waits for;
   * {@code actions}: the deployment jobs' retry backoff.
   */
  public Queues(Database db, Config.Scheduling scheduling, Config.Llm llm, Config.Actions actions,
      Task<?> opsCycleTask, DeploymentJobHandler deploymentJobs,
      List<RecurringTask<?>> deploymentRecurring, Clock clock) {
    this.clock = clock;
    if (!JobType.OPS_CYCLE.taskName().equals(opsCycleTask.getName())) {
      throw new IllegalArgumentException("the ops-agent queue runs only " + JobType.OPS_CYCLE.taskName());
    }
    this.deploymentTask = Tasks.oneTime(JobType.DEPLOYMENT_JOB.taskName(), DeploymentJob.class)
        .onFailure(new FailureHandler.MaxRetriesFailureHandler<>(DEPLOYMENT_JOB_MAX_RETRIES,
            new FailureHandler.ExponentialBackoffFailureHandler<>(actions.retryBackoff())))
        .execute((instance, ctx) -> {
          try {
            deploymentJobs.handle(instance.getData());
          } catch (RuntimeException e) {
            throw e;
          } catch (Exception e) {
            throw new IllegalStateException("deployment job failed: " + e.getMessage(), e);
          }
        });
    this.takeover = worstCaseTakeover(scheduling);
    Duration stopWait = shutdownMaxWait(llm);
    this.ops = builder(db, scheduling, JobType.Queue.OPS_AGENT, scheduling.opsConcurrency(), opsCycleTask, stopWait)
        .build();
    // a failing job is retried by design (e.g. a platform answering 503): one line, no stack trace
    this.deployment = builder(db, scheduling, JobType.Queue.DEPLOYMENT, scheduling.deploymentConcurrency(),
        deploymentTask, stopWait).startTasks(deploymentRecurring)
        .failureLogging(com.github.kagkarlsson.scheduler.logging.LogLevel.WARN, false).build();
  }

  private static SchedulerBuilder builder(Database db, Config.Scheduling scheduling, JobType.Queue queue,
      int threads, Task<?> task, Duration shutdownMaxWait) {
    SchedulerBuilder b = Scheduler.create(db.dataSource(), List.of(task))
        .tableName(queue.table())
        .schedulerName(new SchedulerName.Fixed(queue.queueName() + "@" + host() + "#" + Ids.newId().substring(0, 8)))
        .serializer(SERIALIZER)
        .jdbcCustomization(jdbcCustomization(db))
        .threads(threads)
        .pollingInterval(scheduling.pollInterval())
        .heartbeatInterval(scheduling.heartbeatInterval())
        .missedHeartbeatsLimit(MISSED_HEARTBEATS_LIMIT)
        .shutdownMaxWait(shutdownMaxWait);
    if (!db.embedded()) {
      // one statement picks due rows with SKIP LOCKED: several workers never contend on a row
      b.pollUsingLockAndFetch(0.5, 1.0);
    }
    // HSQLDB has no SKIP LOCKED: db-scheduler's default fetch-then-pick-by-version applies there
    return b;
  }

  /**
   * The third scheduler, for notification deliveries ({@link JobType#NOTIFICATION_DELIVERY}): its own
   * table and {@code OPSAGENT_NOTIFY_CONCURRENCY} threads, so a slow receiver never holds up a cycle
   * or a deployment job. Immediate execution is on: a delivery scheduled for now through this
   * scheduler, or announced with {@link Scheduler#triggerCheckForDueExecutions()}, is picked at once;
   * polling stays the safety net. Not started; {@code shutdownMaxWait} should cover one attempt. The
   * task logs its own failures (db-scheduler's failure log is kept at debug).
   */
  public static Scheduler notificationScheduler(Database db, Config.Scheduling scheduling, int concurrency,
      Task<?> deliveryTask, Duration shutdownMaxWait) {
    if (!JobType.NOTIFICATION_DELIVERY.taskName().equals(deliveryTask.getName())) {
      throw new IllegalArgumentException("the notification queue runs only "
          + JobType.NOTIFICATION_DELIVERY.taskName());
    }
    return builder(db, scheduling, JobType.Queue.NOTIFICATION, concurrency, deliveryTask, shutdownMaxWait)
        .enableImmediateExecution()
        .failureLogging(com.github.kagkarlsson.scheduler.logging.LogLevel.DEBUG, false)
        .build();
  }

  /**
   * A client that schedules on {@code connection} inside the caller's open transaction (auto-commit
   * off): the jobs commit or roll back with the caller's own writes.
   */
  public static SchedulerClient clientInTransaction(Connection connection, Database db, JobType type,
      Task<?> task) {
    return client(new SingleConnectionDataSource(connection), db, type, task);
  }

  /**
   * A client for one queue's table that schedules, reschedules and cancels jobs without running
   * them; usable in any process (the API, the CLI), whether or not this process runs the queue.
   */
  public static SchedulerClient client(Database db, JobType type, Task<?> task) {
    return client(db.dataSource(), db, type, task);
  }

  private static SchedulerClient client(DataSource ds, Database db, JobType type, Task<?> task) {
    return SchedulerClient.Builder.create(ds, List.of(task))
        .tableName(type.queue().table())
        .serializer(SERIALIZER)
        .jdbcCustomization(jdbcCustomization(db))
        .build();
  }

  /**
   * {@link SchedulerClient#scheduleBatch(List)} in one transaction: all rows or none, one commit
   * (10,000 schedules in one round of batched inserts instead of ~80 commits).
   *
   * @throws FailedToScheduleBatchException if any row exists already; nothing was inserted then
   */
  public static void scheduleAll(Database db, JobType type, Task<?> task, List<SchedulableInstance<?>> batch) {
    try (Connection c = db.dataSource().getConnection()) {
      c.setAutoCommit(false);
      try {
        client(new SingleConnectionDataSource(c), db, type, task).scheduleBatch(batch);
        c.commit();
      } catch (RuntimeException e) {
        c.rollback();
        throw e;
      } finally {
        c.setAutoCommit(true);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("could not schedule a batch on " + type.queue().table(), e);
    }
  }

  /**
   * Schedules deployment job {@code id} at {@code at} on {@code connection}, inside the caller's open
   * transaction (the job commits or rolls back with the caller's writes); false if {@code id} exists.
   */
  public static boolean scheduleDeploymentJob(Connection connection, Database db, String id,
      DeploymentJob job, Instant at) {
    return clientInTransaction(connection, db, JobType.DEPLOYMENT_JOB, DEPLOYMENT_CLIENT_TASK)
        .scheduleIfNotExists(DEPLOYMENT_CLIENT_TASK.instance(id, job), at);
  }

  /** Cancels deployment job {@code id} if it is still waiting; false if it is gone or running. */
  public static boolean cancelDeploymentJob(Database db, String id) {
    try {
      client(db, JobType.DEPLOYMENT_JOB, DEPLOYMENT_CLIENT_TASK)
          .cancel(TaskInstanceId.of(JobType.DEPLOYMENT_JOB.taskName(), id));
      return true;
    } catch (TaskInstanceException e) {
      return false;
    }
  }

  private static JdbcCustomization jdbcCustomization(Database db) {
    return db.embedded() ? new DefaultJdbcCustomization(false) : new PostgreSqlJdbcCustomization(false, false);
  }

  /** Starts both queues, polling only. */
  public void start() {
    start(null);
  }

  /** Starts both queues; {@code wakeup} then starts a job queued for now in this process at once. */
  public void start(Wakeup wakeup) {
    ops.start();
    deployment.start();
    if (wakeup != null) {
      registerWith(wakeup);
    }
    log.info("queues started ops-agent.table={} deployment.table={} deadWorkerTakeoverWithin={}",
        JobType.Queue.OPS_AGENT.table(), JobType.Queue.DEPLOYMENT.table(), takeover);
  }

  private void registerWith(Wakeup wakeup) {
    wakeup.register(JobType.Queue.OPS_AGENT, ops::triggerCheckForDueExecutions);
    wakeup.register(JobType.Queue.DEPLOYMENT, deployment::triggerCheckForDueExecutions);
  }

  /** Queues a deployment job to run now; returns its id. */
  public String enqueue(DeploymentJob job) {
    String id = Ids.newId();
    deployment.schedule(deploymentTask.instance(id, job), clock.instant());
    return id;
  }

  /** Stops polling and waits (up to 2 min) for running jobs; the ops queue first. */
  public void stop() {
    ops.stop();
    deployment.stop();
    log.info("queues stopped");
  }

  @Override
  public void close() {
    stop();
  }

  private static String host() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (Exception e) {
      return "unknown-host";
    }
  }
}
