-- Issue 17 (session 10): the day the daily scan moves lives in a narrow
-- table of its own. Moving it on the wide licenses row (seven indexes)
-- was a non-HOT update writing a new entry in every index and whole
-- random pages to the WAL: three quarters of the scan's claim statement.
--
-- license_due holds one row per active licence whose next due day is
-- known: next_due is the first day (YYYY-MM-DD) on which a stage of the
-- licence not yet done can fall due (see migration 0004). No row: no stage
-- can fall due any more (closed, renewed, lapsed), or the day is to be
-- computed. licenses.next_due is from now on only that mark: '' = to be
-- computed by the next scan (new rows made outside the import, a holder's
-- answer, a change of the type's stage windows); any other value (NULL,
-- or a day written before this migration) = not marked, the day (if any)
-- is in license_due. Whoever marks a licence or ends it deletes its row.
CREATE TABLE license_due (
    license_id BIGINT PRIMARY KEY REFERENCES licenses(id) ON DELETE CASCADE,
    next_due   TEXT NOT NULL
);
CREATE INDEX license_due_day ON license_due(next_due, license_id);
-- The days already computed move over as they are (a sequential read of
-- licenses and an append to the narrow table); the marked licences keep
-- their mark and are computed by the first scan, 2,000 per transaction.
INSERT INTO license_due (license_id, next_due)
    SELECT id, next_due FROM licenses WHERE status = 'active' AND next_due <> '';
