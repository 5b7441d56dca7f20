-- OCDS bulk download (issue 16): the complete release package and record
-- package as gzip'd JSON in the shared file store (owner "procure"), one
-- row per file name. fingerprint summarises the published data the files
-- were built from, so the periodic job rebuilds only after a change (an
-- award, a contract, a challenge answered) or when a day has passed.
CREATE TABLE procure_ocds_bulk (
    name         TEXT PRIMARY KEY,
    file_id      BIGINT NOT NULL REFERENCES files(id),
    size         BIGINT NOT NULL,
    sha256       TEXT NOT NULL,
    projects     INTEGER NOT NULL,
    releases     INTEGER NOT NULL,
    fingerprint  TEXT NOT NULL,
    built_at     {{TS}} NOT NULL
);
