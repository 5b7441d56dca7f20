-- Issue 18 item 3 (session 7): alerts on a common issue's fix clock. The
-- SLA scan warns the responsible department and the office once before
-- the fix deadline (level 1) and alerts them once after it (level 2); the
-- level is raised with a conditional UPDATE, so concurrent scans never
-- send one twice (commonissue_alerts.go).
ALTER TABLE appeal_common_issues ADD COLUMN fix_alert INTEGER NOT NULL DEFAULT 0;
