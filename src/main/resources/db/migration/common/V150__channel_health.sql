-- A channel's health, kept by the delivery attempts: failing_since is when the oldest failed attempt
-- since its last successful delivery started (NULL once one succeeds), last_error that failure's
-- latest error (never a URL or secret), last_delivered_at the latest success. A channel is failing
-- while failing_since is at least 60 s old. Channels of older rows start healthy: the next failed
-- attempt starts the count.
ALTER TABLE notification_channels ADD COLUMN failing_since TIMESTAMP WITH TIME ZONE;
ALTER TABLE notification_channels ADD COLUMN last_error VARCHAR(2000);
ALTER TABLE notification_channels ADD COLUMN last_delivered_at TIMESTAMP WITH TIME ZONE;
UPDATE notification_channels SET last_delivered_at = (
    SELECT MAX(n.delivered_at) FROM notifications n WHERE n.channel_id = notification_channels.id);
