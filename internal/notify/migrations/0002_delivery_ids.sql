-- legacy: 3
--
-- Notifications: gateway message ids for delivery receipts, the webhook a
-- delivery row goes to, at most one SMS re-send per unread in-app message,
-- and indexes for the re-send scan and per-object listings.

ALTER TABLE notifications ADD COLUMN provider_id TEXT NOT NULL DEFAULT '';
-- No foreign key: a deleted webhook keeps its past deliveries in the outbox.
ALTER TABLE notifications ADD COLUMN webhook_id BIGINT;

CREATE INDEX notifications_provider ON notifications(provider_id);
CREATE UNIQUE INDEX notifications_resend_of ON notifications(resend_of);
CREATE INDEX notifications_unread_inapp ON notifications(created_at)
    WHERE channel = 'inapp' AND read_at IS NULL AND resend_of IS NULL;
CREATE INDEX notifications_object ON notifications(object_type, object_id);
