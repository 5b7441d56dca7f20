-- requires: account 2
--
-- Hand-off inside a unit (issue 18 item 14): the department admin assigns
-- a follow-up list entry to a named member of staff, who sees their own
-- list. NULL = not assigned (the whole department's list).
ALTER TABLE license_followups ADD COLUMN assignee_id BIGINT REFERENCES users(id);
CREATE INDEX license_followups_assignee ON license_followups(assignee_id, status);
