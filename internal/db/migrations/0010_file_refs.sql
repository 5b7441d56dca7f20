-- The modules' files move into the shared file store: each owning table
-- records the store's file id. Existing files (appeal attachments on the
-- local disk, credit repair files and bideval bid files in their own blob
-- columns) are copied into the store at start-up by each module's Go step
-- (MoveFilesToStore), which fills file_id and empties the old column.
-- Sections belong to their module's migrations folder.

-- appeal
ALTER TABLE appeal_attachments ADD COLUMN file_id BIGINT REFERENCES files(id);

-- credit
ALTER TABLE credit_repair_files ADD COLUMN file_id BIGINT REFERENCES files(id);

-- bideval
ALTER TABLE bideval_files ADD COLUMN file_id BIGINT REFERENCES files(id);
