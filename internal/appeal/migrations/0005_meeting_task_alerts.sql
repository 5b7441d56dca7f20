-- Issue 18 item 5 (session 6): a joint-meeting task's deadline alerts. The
-- SLA scan warns the owner department once before the deadline (level 1)
-- and sends the overdue alert once after it (level 2); the level is raised
-- with a conditional UPDATE, so concurrent scans never send one twice.
ALTER TABLE appeal_meeting_tasks ADD COLUMN alert_level INTEGER NOT NULL DEFAULT 0;
