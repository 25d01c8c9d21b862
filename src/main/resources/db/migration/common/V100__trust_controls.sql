-- Trust controls (issue 12): the cluster-wide kill switch, per-tenant settings (mode, daily token
-- budget), one budget warning per tenant-day, and the audit fields of a run.

-- At most one row (id = 1). No row, or engaged = FALSE: the agent may call the model.
CREATE TABLE ops_kill_switch (
    id       INTEGER PRIMARY KEY,
    engaged  BOOLEAN NOT NULL,
    reason   VARCHAR(500),
    since    TIMESTAMP WITH TIME ZONE
);

-- No row: mode live and the default budget (OPSAGENT_DAILY_TOKEN_BUDGET).
-- daily_token_budget NULL = the default; 0 = never call the model.
CREATE TABLE ops_tenant_settings (
    tenant_id           VARCHAR(36) PRIMARY KEY REFERENCES tenants (id),
    mode                VARCHAR(16) NOT NULL,
    daily_token_budget  BIGINT,
    updated_at          TIMESTAMP WITH TIME ZONE NOT NULL
);

-- The day a tenant's "budget spent" warning went out: at most one per tenant and UTC day.
CREATE TABLE ops_budget_notices (
    tenant_id  VARCHAR(36) NOT NULL REFERENCES tenants (id),
    day        DATE        NOT NULL,
    PRIMARY KEY (tenant_id, day)
);

ALTER TABLE ops_agent_runs ADD COLUMN dry_run BOOLEAN DEFAULT FALSE NOT NULL;
ALTER TABLE ops_agent_runs ADD COLUMN reasoning VARCHAR(64000);
ALTER TABLE ops_agent_runs ADD COLUMN prompt_sha256 VARCHAR(64);
ALTER TABLE ops_agent_runs ADD COLUMN request_ids VARCHAR(4000);
ALTER TABLE ops_agent_runs ADD COLUMN chain_hash VARCHAR(64);

-- Where audit verify starts when retention deleted a chain's oldest runs.
CREATE TABLE ops_audit_checkpoints (
    tenant_id    VARCHAR(36) PRIMARY KEY REFERENCES tenants (id),
    chain_hash   VARCHAR(64) NOT NULL,
    finished_at  TIMESTAMP WITH TIME ZONE NOT NULL
);

-- The switch's one row, released.
INSERT INTO ops_kill_switch (id, engaged) VALUES (1, FALSE);
