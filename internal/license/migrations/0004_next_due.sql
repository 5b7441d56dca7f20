-- Issue 17: the daily scan reads only the licences with a reminder stage
-- due. next_due is the first day (YYYY-MM-DD) on which a stage of the
-- licence not yet done can fall due (for the follow-up list the nominal
-- day, expires_on - followup_days: the scan reads up to the day before the
-- next working day, so a list moved earlier by holidays is found); NULL when
-- none can (the licence is closed, renewed or lapsed); '' when it is to be
-- computed: new rows made outside the import, a holder's answer, a change
-- of the type's stage windows. The scan computes it, so existing licences
-- are backfilled by the first scan after this migration.
ALTER TABLE licenses ADD COLUMN next_due TEXT DEFAULT '';
UPDATE licenses SET next_due = NULL WHERE status <> 'active';
CREATE INDEX licenses_due ON licenses(status, next_due);
