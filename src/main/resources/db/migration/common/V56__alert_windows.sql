-- Deliveries are jobs on the notification queue now: rows left pending by the previous version
-- become jobs due at once, and the hand-written retry schedule goes.
INSERT INTO notification_tasks (task_name, task_instance, task_data, execution_time, picked,
    consecutive_failures, version)
SELECT 'notification-delivery', id, NULL, CURRENT_TIMESTAMP, FALSE, 0, 1
FROM notifications WHERE status = 'pending';
DROP INDEX notifications_pending_idx;
ALTER TABLE notifications DROP COLUMN next_attempt_at;

-- Alert de-duplication lives with the delivery log. alert_key names "the same alert" within a
-- tenant: {workspaceId or -}:{first 16 hex of sha256(normalized title)}; NULL on rows written
-- before this version.
ALTER TABLE notifications ADD COLUMN alert_key VARCHAR(100);
CREATE INDEX notifications_alert_key_idx ON notifications (tenant_id, alert_key, created_at);

-- The alert window: a row is held from the moment an alert is admitted until expires_at
-- (OPSAGENT_ALERT_COOLDOWN later), unless it is given back because none of the alert's
-- deliveries can reach anyone (no channel matched, all failed for good, not recorded).
CREATE TABLE alert_windows (
    tenant_id   VARCHAR(36)  NOT NULL REFERENCES tenants (id),
    alert_key   VARCHAR(100) NOT NULL,
    claimed_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    expires_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (tenant_id, alert_key)
);
