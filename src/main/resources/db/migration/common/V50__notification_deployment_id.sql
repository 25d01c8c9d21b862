-- The deployment an alert concerns (null: none in particular), kept with each delivery so every
-- attempt, retries included, carries it in the webhook payload.
ALTER TABLE notifications ADD COLUMN deployment_id VARCHAR(36);
