package io.opsagent.queue;

/**
 * Every kind of job opsagent queues, each bound to its queue. The queue decides the table the job
 * lives in and the threads that run it, so a slow kind of job never starves the other queue.
 */
public enum JobType {
  /** One agent cycle for one tenant; data {@code {tenantId, trigger, recurring}}. */
  OPS_CYCLE("ops-cycle", Queue.OPS_AGENT),
  /** A job of the platform's deployment pipeline, handled by a {@link DeploymentJobHandler}. */
  DEPLOYMENT_JOB("deployment-job", Queue.DEPLOYMENT),
  /** One attempt at one row of the {@code notifications} delivery log; data {@code {tenantId}}. */
  NOTIFICATION_DELIVERY("notification-delivery", Queue.NOTIFICATION);

  /** The queues: each is its own db-scheduler {@code Scheduler} over its own table. */
  public enum Queue {
    OPS_AGENT("ops-agent", "ops_agent_tasks"),
    DEPLOYMENT("deployment", "deployment_tasks"),
    NOTIFICATION("notification", "notification_tasks");

    private final String queueName;
    private final String table;

    Queue(String queueName, String table) {
      this.queueName = queueName;
      this.table = table;
    }

    public String queueName() {
      return queueName;
    }

    public String table() {
      return table;
    }
  }

  private final String taskName;
  private final Queue queue;

  JobType(String taskName, Queue queue) {
    this.taskName = taskName;
    this.queue = queue;
  }

  /** The db-scheduler task name, as stored in the queue's {@code task_name} column. */
  public String taskName() {
    return taskName;
  }

  public Queue queue() {
    return queue;
  }
}
