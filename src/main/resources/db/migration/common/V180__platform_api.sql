-- The platform API: soft delete, the platform's own ids, and who owns each object.
--
-- deleted_at: set when the object is deleted (it disappears from lists and lookups; its runs,
-- events, incidents and audit stay). live_key: 1 while the object is live, NULL once deleted, so a
-- UNIQUE constraint over (parent, external_id, live_key) holds among live objects only, on
-- PostgreSQL and on HSQLDB alike (neither counts a NULL as equal to another). Names are unique per
-- parent among live objects too; that rule is checked by the application under the lock below (rows
-- written before it may hold duplicates, which stay readable). source: who manages the object
-- ('api', or e.g. 'kubernetes'); a reconcile of the inventory leaves another source's objects alone.
ALTER TABLE tenants ADD COLUMN external_id VARCHAR(200);
ALTER TABLE tenants ADD COLUMN source VARCHAR(32) DEFAULT 'api' NOT NULL;
ALTER TABLE tenants ADD COLUMN deleted_at TIMESTAMP WITH TIME ZONE;
ALTER TABLE tenants ADD COLUMN live_key SMALLINT DEFAULT 1;
ALTER TABLE tenants ADD CONSTRAINT tenants_external_id_uq UNIQUE (external_id, live_key);

ALTER TABLE workspaces ADD COLUMN external_id VARCHAR(200);
ALTER TABLE workspaces ADD COLUMN source VARCHAR(32) DEFAULT 'api' NOT NULL;
ALTER TABLE workspaces ADD COLUMN deleted_at TIMESTAMP WITH TIME ZONE;
ALTER TABLE workspaces ADD COLUMN live_key SMALLINT DEFAULT 1;
ALTER TABLE workspaces ADD CONSTRAINT workspaces_external_id_uq UNIQUE (tenant_id, external_id, live_key);

ALTER TABLE deployments ADD COLUMN external_id VARCHAR(200);
ALTER TABLE deployments ADD COLUMN source VARCHAR(32) DEFAULT 'api' NOT NULL;
ALTER TABLE deployments ADD COLUMN deleted_at TIMESTAMP WITH TIME ZONE;
ALTER TABLE deployments ADD COLUMN live_key SMALLINT DEFAULT 1;
ALTER TABLE deployments ADD CONSTRAINT deployments_external_id_uq UNIQUE (workspace_id, external_id, live_key);

-- A deployment's events, newest first (GET /api/deployments/{id}/events).
CREATE INDEX deployment_events_deployment_time_idx ON deployment_events (deployment_id, created_at);

-- Why an incident resolved: 'recovered' (its problem is gone) or 'removed' (its deployment was
-- deleted); NULL on incidents resolved before this version.
ALTER TABLE incidents ADD COLUMN resolved_reason VARCHAR(16);

-- One row whose update serialises the writes that must keep names unique (creations, renames,
-- the inventory): taken at the start of such a transaction, released at its commit.
CREATE TABLE platform_write_lock (
    id       SMALLINT PRIMARY KEY,
    writes   BIGINT   NOT NULL
);
INSERT INTO platform_write_lock (id, writes) VALUES (1, 0);
