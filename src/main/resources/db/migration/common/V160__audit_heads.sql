-- The keyed audit chain. chain_key: NULL for a run chained with plain SHA-256 (before
-- OPSAGENT_AUDIT_KEY was set), else the id of the key its HMAC-SHA-256 was computed with.
ALTER TABLE ops_agent_runs ADD COLUMN chain_key VARCHAR(16);

-- A tenant's audit head, rewritten with every chained run: how many runs its chain holds (those
-- retention deleted included), the last one's chain_hash, when, and an HMAC-SHA-256 signature over
-- them under the key key_id names (both NULL when no key was set).
CREATE TABLE ops_audit_heads (
    tenant_id   VARCHAR(36) PRIMARY KEY REFERENCES tenants (id),
    run_count   BIGINT      NOT NULL,
    chain_hash  VARCHAR(64) NOT NULL,
    updated_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    key_id      VARCHAR(16),
    signature   VARCHAR(64)
);

-- The checkpoint counts the runs retention deleted, and is signed like a head.
ALTER TABLE ops_audit_checkpoints ADD COLUMN run_count BIGINT DEFAULT 0 NOT NULL;
ALTER TABLE ops_audit_checkpoints ADD COLUMN key_id VARCHAR(16);
ALTER TABLE ops_audit_checkpoints ADD COLUMN signature VARCHAR(64);
