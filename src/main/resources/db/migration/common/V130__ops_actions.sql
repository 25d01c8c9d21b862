-- The agent's actions on the platform (restart, rollback): one row per admitted call, from queued to
-- its verified outcome. Its rows are the blast-radius counters too (per cycle, per tenant and hour,
-- per workspace within the cooldown window) and the lockout after an action that did not help.
CREATE TABLE ops_actions (
    id              VARCHAR(36)   PRIMARY KEY,
    tenant_id       VARCHAR(36)   NOT NULL REFERENCES tenants (id),
    workspace_id    VARCHAR(36)   NOT NULL REFERENCES workspaces (id),
    deployment_id   VARCHAR(36)   NOT NULL REFERENCES deployments (id),
    action          VARCHAR(16)   NOT NULL,
    to_version      VARCHAR(100),
    reason          VARCHAR(2000) NOT NULL,
    run_id          VARCHAR(36)   NOT NULL,
    status          VARCHAR(16)   NOT NULL,
    attempts        INTEGER       NOT NULL,
    last_error      VARCHAR(2000),
    requested_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    sent_at         TIMESTAMP WITH TIME ZONE,
    finished_at     TIMESTAMP WITH TIME ZONE,
    updated_at      TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT ops_actions_action_chk CHECK (action IN ('restart', 'rollback')),
    CONSTRAINT ops_actions_status_chk
        CHECK (status IN ('queued', 'sent', 'cancelled', 'failed', 'helped', 'not_helped'))
);
CREATE INDEX ops_actions_tenant_time_idx ON ops_actions (tenant_id, requested_at);
CREATE INDEX ops_actions_deployment_idx ON ops_actions (deployment_id, status);
CREATE INDEX ops_actions_run_idx ON ops_actions (run_id);

-- Versions become history: a version change (PATCH, or an event carrying a version) records the
-- version it moved to and the one it left, so a rollback can only name a version run before.
ALTER TABLE deployment_events ADD COLUMN version VARCHAR(100);
ALTER TABLE deployment_events ADD COLUMN previous_version VARCHAR(100);
