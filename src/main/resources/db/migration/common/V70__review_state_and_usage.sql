-- Round two of the ops cycle: why a run was skipped or decided by the rules engine, prompt-cache
-- tokens and cost per run; the last reviewed state per tenant (so an unchanged tenant costs no model
-- call); one pending cycle per tenant (events during a running cycle collapse into it); and a daily
-- usage rollup that run retention never deletes.
ALTER TABLE ops_agent_runs ADD COLUMN skip_reason VARCHAR(32);
ALTER TABLE ops_agent_runs ADD COLUMN fallback_reason VARCHAR(32);
ALTER TABLE ops_agent_runs ADD COLUMN cache_read_tokens BIGINT DEFAULT 0 NOT NULL;
ALTER TABLE ops_agent_runs ADD COLUMN cache_write_tokens BIGINT DEFAULT 0 NOT NULL;
ALTER TABLE ops_agent_runs ADD COLUMN cost_usd DECIMAL(14, 6);

-- A cycle asked for while the tenant's cycle runs (trigger and the run id it will record).
ALTER TABLE ops_schedules ADD COLUMN pending_trigger VARCHAR(16);
ALTER TABLE ops_schedules ADD COLUMN pending_run_id VARCHAR(36);

-- The state the last completed review saw: a hash of the normalised context, the signatures of the
-- events it was shown, and when that review ran. No row = review at the next cycle.
CREATE TABLE ops_review_state (
    tenant_id         VARCHAR(36) PRIMARY KEY REFERENCES tenants (id),
    state_sha256      VARCHAR(64) NOT NULL,
    event_signatures  VARCHAR(40000) NOT NULL,
    reviewed_at       TIMESTAMP WITH TIME ZONE NOT NULL
);

-- Per tenant and UTC day: what the agent did and cost. Written with each finished run.
CREATE TABLE ops_usage_daily (
    tenant_id           VARCHAR(36) NOT NULL REFERENCES tenants (id),
    day                 DATE        NOT NULL,
    runs                INTEGER     NOT NULL,
    skipped_runs        INTEGER     NOT NULL,
    model_calls         INTEGER     NOT NULL,
    input_tokens        BIGINT      NOT NULL,
    output_tokens       BIGINT      NOT NULL,
    cache_read_tokens   BIGINT      NOT NULL,
    cache_write_tokens  BIGINT      NOT NULL,
    cost_usd            DECIMAL(14, 6) NOT NULL,
    PRIMARY KEY (tenant_id, day)
);
