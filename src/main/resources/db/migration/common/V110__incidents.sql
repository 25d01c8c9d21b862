-- Incidents: one problem of one deployment, from its first alert until code sees it gone.
-- incident_key = {tenantId}:{deploymentId}:{problem}; open_key holds it while the incident is open
-- (NULL once resolved), so at most one incident per key is open, on both databases.
CREATE TABLE incidents (
    id               VARCHAR(36)  PRIMARY KEY,
    tenant_id        VARCHAR(36)  NOT NULL REFERENCES tenants (id),
    deployment_id    VARCHAR(36)  NOT NULL REFERENCES deployments (id),
    workspace_id     VARCHAR(36)  NOT NULL,
    incident_key     VARCHAR(200) NOT NULL,
    open_key         VARCHAR(200) UNIQUE,
    problem          VARCHAR(32)  NOT NULL,
    severity         VARCHAR(16)  NOT NULL,
    title            VARCHAR(500) NOT NULL,
    body             VARCHAR(8000) NOT NULL,
    status           VARCHAR(16)  NOT NULL,
    alerts           INTEGER      NOT NULL,
    opened_at        TIMESTAMP WITH TIME ZONE NOT NULL,
    last_alert_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    last_notified_at TIMESTAMP WITH TIME ZONE NOT NULL,
    acknowledged_at  TIMESTAMP WITH TIME ZONE,
    resolved_at      TIMESTAMP WITH TIME ZONE
);
CREATE INDEX incidents_tenant_idx ON incidents (tenant_id, status, opened_at);
CREATE INDEX incidents_deployment_idx ON incidents (deployment_id, status);

-- Every delivery of an incident's notices names it, and says whether it fires or resolves it
-- (NULL on rows written before this version: they fired).
ALTER TABLE notifications ADD COLUMN incident_key VARCHAR(200);
ALTER TABLE notifications ADD COLUMN alert_status VARCHAR(16);
CREATE INDEX notifications_incident_idx ON notifications (tenant_id, incident_key);
