-- requires: filestore 1
--
-- The module's files move into the shared file store (internal/filestore): the
-- row records the store's file id. Existing files are copied in at start-up
-- by MoveFilesToStore, which fills file_id and empties the old copy.
ALTER TABLE bideval_files ADD COLUMN file_id BIGINT REFERENCES files(id);
