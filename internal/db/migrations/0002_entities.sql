-- Market-entity registry (internal/entity).
--
-- Imports count the rows that matched the stored entity exactly, so that a
-- re-import of an unchanged ledger reports them as unchanged, not updated.
-- (The name search index is engine-specific and created by
-- entity.Service.EnsureSearchIndex, not here.)
ALTER TABLE imports ADD COLUMN rows_unchanged INTEGER NOT NULL DEFAULT 0;
