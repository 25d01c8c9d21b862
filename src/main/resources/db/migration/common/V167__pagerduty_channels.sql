-- PagerDuty Events API v2 channels: config {"routingKey", "url"?}, stored like every channel's config.
ALTER TABLE notification_channels DROP CONSTRAINT notification_channels_type_chk;
ALTER TABLE notification_channels ADD CONSTRAINT notification_channels_type_chk
    CHECK (type IN ('webhook', 'slack', 'email', 'pagerduty'));
