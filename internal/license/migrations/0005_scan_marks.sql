-- Issue 17: the daily scan reads the licences whose stage windows open
-- by their expiry day (licenses_scan), so that doing a stage no longer
-- rewrites the licence row. For each type it keeps how far that read has
-- gone: scan_through is the last day scanned (YYYY-MM-DD) and scan_listed
-- the last nominal follow-up day (expires_on - followup_days) read then.
-- NULL (every type after this migration, and a new type): the next scan
-- reads every active licence of the type within its windows, once.
-- next_due keeps its meaning for the licences the read by expiry may not
-- cover ('' or a day: made outside that read, answered, windows changed);
-- NULL on an active licence now also means that the read by expiry finds
-- its next stage.
ALTER TABLE license_types ADD COLUMN scan_through TEXT;
ALTER TABLE license_types ADD COLUMN scan_listed TEXT;
