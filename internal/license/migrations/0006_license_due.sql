-- Issue 17: the next due day moves out of the licence row into a table of
-- its own, which holds a row only for the active licences that have one
-- ('' or a day, as next_due meant since migrations 0004 and 0005; no row
-- is what NULL was: the scan's read by expiry finds the licence's next
-- stage). Setting, moving and clearing the day then writes this narrow
-- row, not the licence: a licence row changed in next_due (an indexed
-- column) was written anew with an entry in each of its seven indexes.
CREATE TABLE license_due (
    license_id BIGINT PRIMARY KEY REFERENCES licenses(id),
    next_due   TEXT NOT NULL
);
INSERT INTO license_due (license_id, next_due)
    SELECT id, next_due FROM licenses WHERE status = 'active' AND next_due IS NOT NULL;
CREATE INDEX license_due_day ON license_due(next_due);
DROP INDEX licenses_due;
ALTER TABLE licenses DROP COLUMN next_due;
