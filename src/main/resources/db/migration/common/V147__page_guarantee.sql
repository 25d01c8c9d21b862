-- The page guarantee: an incident is paged once a firing delivery of it reached a receiver
-- (paged_at, set then); a deployment's status_changed_at tells the watchdog how long it has been
-- failing (a repeated report of the same status does not move it); every delivery says who sent
-- it (sent_by: 'code' or 'model'; NULL on older rows).
ALTER TABLE incidents ADD COLUMN paged_at TIMESTAMP WITH TIME ZONE;
ALTER TABLE notifications ADD COLUMN sent_by VARCHAR(8);
ALTER TABLE deployments ADD COLUMN status_changed_at TIMESTAMP WITH TIME ZONE;
UPDATE deployments SET status_changed_at = updated_at;
UPDATE incidents SET paged_at = (
    SELECT MIN(n.delivered_at) FROM notifications n
    WHERE n.tenant_id = incidents.tenant_id AND n.incident_key = incidents.incident_key
      AND n.status = 'delivered' AND COALESCE(n.alert_status, 'firing') = 'firing');
CREATE INDEX deployments_status_changed_idx ON deployments (status, status_changed_at);
