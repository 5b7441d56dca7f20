-- legacy: 1
--
-- The hash-chained audit trail (internal/audit, docs/audit.md).
-- Tokens in {{...}} are replaced per dialect (internal/db/migrate.go): {{ID}} identity
-- primary key, {{TS}} timestamp with zone, {{BLOB}} binary.

CREATE TABLE audit_events (
    seq           BIGINT PRIMARY KEY,
    at            {{TS}} NOT NULL,
    actor_id      BIGINT,
    actor_name    TEXT NOT NULL,
    action        TEXT NOT NULL,
    object_type   TEXT NOT NULL,
    object_id     TEXT NOT NULL,
    before_digest TEXT NOT NULL,
    after_digest  TEXT NOT NULL,
    detail        TEXT NOT NULL DEFAULT '',
    prev_hash     TEXT NOT NULL,
    hash          TEXT NOT NULL
);
CREATE INDEX audit_events_object ON audit_events(object_type, object_id);
CREATE INDEX audit_events_actor ON audit_events(actor_id);

-- One row: the chain head. Updating it serialises appends across
-- concurrent transactions (a row lock on PostgreSQL, the write lock on SQLite).
CREATE TABLE audit_head (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
