-- db-scheduler's table layout, once per queue: each queue polls only its own table.

CREATE TABLE ops_agent_tasks (
    task_name             TEXT NOT NULL,
    task_instance         TEXT NOT NULL,
    task_data             BYTEA,
    execution_time        TIMESTAMP WITH TIME ZONE NOT NULL,
    picked                BOOLEAN NOT NULL,
    picked_by             TEXT,
    last_success          TIMESTAMP WITH TIME ZONE,
    last_failure          TIMESTAMP WITH TIME ZONE,
    consecutive_failures  INT,
    last_heartbeat        TIMESTAMP WITH TIME ZONE,
    version               BIGINT NOT NULL,
    priority              SMALLINT,
    PRIMARY KEY (task_name, task_instance)
);
CREATE INDEX ops_agent_tasks_execution_time_idx ON ops_agent_tasks (execution_time);
CREATE INDEX ops_agent_tasks_last_heartbeat_idx ON ops_agent_tasks (last_heartbeat);
CREATE INDEX ops_agent_tasks_priority_execution_time_idx ON ops_agent_tasks (priority DESC, execution_time ASC);

CREATE TABLE deployment_tasks (
    task_name             TEXT NOT NULL,
    task_instance         TEXT NOT NULL,
    task_data             BYTEA,
    execution_time        TIMESTAMP WITH TIME ZONE NOT NULL,
    picked                BOOLEAN NOT NULL,
    picked_by             TEXT,
    last_success          TIMESTAMP WITH TIME ZONE,
    last_failure          TIMESTAMP WITH TIME ZONE,
    consecutive_failures  INT,
    last_heartbeat        TIMESTAMP WITH TIME ZONE,
    version               BIGINT NOT NULL,
    priority              SMALLINT,
    PRIMARY KEY (task_name, task_instance)
);
CREATE INDEX deployment_tasks_execution_time_idx ON deployment_tasks (execution_time);
CREATE INDEX deployment_tasks_last_heartbeat_idx ON deployment_tasks (last_heartbeat);
CREATE INDEX deployment_tasks_priority_execution_time_idx ON deployment_tasks (priority DESC, execution_time ASC);
