-- The audit trail becomes a transparency log (docs/audit.md). Events are
-- appended without touching a shared row: seq comes from the table's own
-- identity, so concurrent transactions never wait on one another. A single
-- sequencer later gives each committed event its leaf_index and stores the
-- Merkle tree's hashes and signed checkpoints.
--
-- The table is rebuilt (seq becomes an identity column); the existing chain
-- is copied in seq order, so the copied rows keep their seq (1..N) and their
-- prev_hash/hash, and stay verifiable as a chain. The sequencer integrates
-- them first, in that order.
CREATE TABLE audit_events_v2 (
    seq           {{ID}},
    at            {{TS}} NOT NULL,
    actor_id      BIGINT,
    actor_name    TEXT NOT NULL,
    action        TEXT NOT NULL,
    object_type   TEXT NOT NULL,
    object_id     TEXT NOT NULL,
    before_digest TEXT NOT NULL,
    after_digest  TEXT NOT NULL,
    detail        TEXT NOT NULL DEFAULT '',
    prev_hash     TEXT NOT NULL DEFAULT '',   -- legacy chain only ('' for log events)
    hash          TEXT NOT NULL DEFAULT '',   -- legacy chain only
    state_digest  TEXT NOT NULL DEFAULT '',   -- digest of the live object after the change ('' when its kind has no state source)
    txid          BIGINT NOT NULL DEFAULT 0,  -- PostgreSQL: the inserting transaction id (diagnosis only); 0 on SQLite
    leaf_index    BIGINT                      -- position in the log, NULL until the sequencer integrates it
);
INSERT INTO audit_events_v2 (at, actor_id, actor_name, action, object_type, object_id, before_digest, after_digest, detail, prev_hash, hash)
    SELECT at, actor_id, actor_name, action, object_type, object_id, before_digest, after_digest, detail, prev_hash, hash
    FROM audit_events ORDER BY seq;
DROP TABLE audit_events;
ALTER TABLE audit_events_v2 RENAME TO audit_events;
CREATE INDEX audit_events_object ON audit_events(object_type, object_id);
CREATE INDEX audit_events_actor ON audit_events(actor_id);
CREATE UNIQUE INDEX audit_events_leaf ON audit_events(leaf_index);
CREATE INDEX audit_events_pending ON audit_events(seq) WHERE leaf_index IS NULL;

-- audit_head now holds the tree head: seq is the tree size, hash the root
-- (hex). Only the sequencer updates it. The legacy chain's length and head
-- are kept in audit_legacy_head so `audit verify` can still check that no
-- event was removed from the end of the old chain.
CREATE TABLE audit_legacy_head (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_legacy_head (id, seq, hash) SELECT id, seq, hash FROM audit_head;
UPDATE audit_head SET seq = 0, hash = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

-- The stored hashes of the Merkle tree, indexed as golang.org/x/mod/sumdb/tlog
-- numbers them (StoredHashIndex).
CREATE TABLE audit_tree_hashes (
    idx  BIGINT PRIMARY KEY,
    hash {{BLOB}} NOT NULL
);

-- Every checkpoint the sequencer signed (one per batch).
CREATE TABLE audit_checkpoints (
    size BIGINT PRIMARY KEY,
    root TEXT NOT NULL,
    at   {{TS}} NOT NULL,
    note TEXT NOT NULL
);

-- Kinds of object whose live rows were given a baseline state event
-- (docs/audit.md, "Deep state check").
CREATE TABLE audit_state_kinds (
    kind TEXT PRIMARY KEY,
    at   {{TS}} NOT NULL
);
