-- The alerts Alertmanager reported per deployment, by fingerprint: the last status seen (firing or
-- resolved) and its startsAt, so a re-sent group records no new event, and a resolved alert moves
-- the deployment back to RUNNING only when no other alert of it is still firing. critical: the
-- alert's severity was critical or page (FAILED rather than DEGRADED).
CREATE TABLE alertmanager_alerts (
    deployment_id  VARCHAR(36)  NOT NULL REFERENCES deployments (id),
    fingerprint    VARCHAR(200) NOT NULL,
    status         VARCHAR(16)  NOT NULL,
    starts_at      VARCHAR(64)  NOT NULL,
    critical       BOOLEAN      NOT NULL,
    updated_at     TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (deployment_id, fingerprint)
);
