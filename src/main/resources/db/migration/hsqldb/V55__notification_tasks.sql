-- The notification queue: db-scheduler's table layout again (see V2), polled only by the
-- notifier's own scheduler. One row per delivery still to be attempted; the delivery log stays in
-- notifications.

CREATE TABLE notification_tasks (
    task_name             VARCHAR(1000) NOT NULL,
    task_instance         VARCHAR(1000) NOT NULL,
    task_data             BLOB,
    execution_time        TIMESTAMP WITH TIME ZONE NOT NULL,
    picked                BOOLEAN NOT NULL,
    picked_by             VARCHAR(1000),
    last_success          TIMESTAMP WITH TIME ZONE,
    last_failure          TIMESTAMP WITH TIME ZONE,
    consecutive_failures  INT,
    last_heartbeat        TIMESTAMP WITH TIME ZONE,
    version               BIGINT NOT NULL,
    priority              SMALLINT,
    PRIMARY KEY (task_name, task_instance)
);
CREATE INDEX notification_tasks_execution_time_idx ON notification_tasks (execution_time);
CREATE INDEX notification_tasks_last_heartbeat_idx ON notification_tasks (last_heartbeat);
CREATE INDEX notification_tasks_priority_execution_time_idx ON notification_tasks (priority DESC, execution_time ASC);
