-- The circuit breaker's memory beyond ops_agent_runs (which decide whether it is open):
-- reset_at: runs finished up to then no longer count (a reset closes the breaker for good);
-- opened_at/alerted_at: the opening that was already announced, so the pause alert is sent once,
-- even across restarts and processes. No row = never reset, never announced.
CREATE TABLE ops_circuit_breakers (
    tenant_id   VARCHAR(36) PRIMARY KEY REFERENCES tenants (id),
    reset_at    TIMESTAMP WITH TIME ZONE,
    opened_at   TIMESTAMP WITH TIME ZONE,
    alerted_at  TIMESTAMP WITH TIME ZONE,
    updated_at  TIMESTAMP WITH TIME ZONE NOT NULL
);
