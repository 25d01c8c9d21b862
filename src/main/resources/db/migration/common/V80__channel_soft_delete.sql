-- A deleted notification channel keeps its row, so the delivery log (notifications.channel_id)
-- keeps every row that names it; deleted_at set = not listed, not selected for alerts, not retried.
ALTER TABLE notification_channels ADD COLUMN deleted_at TIMESTAMP WITH TIME ZONE;
