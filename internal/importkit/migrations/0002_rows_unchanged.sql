-- legacy: 2
--
-- Imports count the rows that matched the stored record exactly, so that a
-- re-import of an unchanged ledger reports them as unchanged, not updated.
ALTER TABLE imports ADD COLUMN rows_unchanged INTEGER NOT NULL DEFAULT 0;
