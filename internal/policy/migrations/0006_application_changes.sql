-- Withdrawal, time-limit extension and reassignment of applications
-- (internal/policy apply_change.go). An extension is granted once per
-- application, to the step that was current then: extended_step names it
-- (NULL: never extended) and extension_days is added to that step's clock
-- only. A withdrawal is a state (withdrawn) with its reason in `reason`; a
-- reassignment rewrites the step's task and the stored steps, its history
-- is in the timeline and the audit log.
ALTER TABLE policy_applications ADD COLUMN extension_days INTEGER NOT NULL DEFAULT 0;
ALTER TABLE policy_applications ADD COLUMN extended_step INTEGER;
