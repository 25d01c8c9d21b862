-- Past a tenant's hourly page cap, code's pages of newly failing deployments go out grouped: one
-- notice a minute listing them. Each row links one delivery of such a notice to one incident it
-- lists, so the incident counts as paged once that delivery reaches its receiver.
CREATE TABLE incident_grouped_pages (
    delivery_id VARCHAR(64) NOT NULL,
    incident_id VARCHAR(64) NOT NULL,
    tenant_id   VARCHAR(64) NOT NULL,
    created_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (delivery_id, incident_id)
);
CREATE INDEX incident_grouped_pages_incident ON incident_grouped_pages (incident_id);
CREATE INDEX incident_grouped_pages_tenant ON incident_grouped_pages (tenant_id, created_at);
