-- The shared file store (internal/filestore): one place for uploaded and
-- generated files, readable from every application instance because the
-- bytes live in the database.
--
-- A blob is content stored once per encryption class: its address is
-- "sha256:<hex of the plaintext>" for plain blobs and "hmac:<hex>" (a keyed
-- HMAC of the plaintext hash, key from the keyring) for encrypted ones, so
-- the table does not reveal the hash of a sealed file. refs counts the files
-- rows that use it; the last Delete removes the blob and its chunks.
CREATE TABLE file_blobs (
    id         {{ID}},
    address    TEXT NOT NULL UNIQUE,
    encrypted  BOOLEAN NOT NULL,
    size       BIGINT NOT NULL,          -- plaintext bytes
    chunks     INTEGER NOT NULL,
    digest_enc {{BLOB}},                 -- encrypted blobs: the plaintext SHA-256, sealed
    refs       BIGINT NOT NULL DEFAULT 0,
    created_at {{TS}} NOT NULL
);

-- The bytes, in chunks of at most 256 KiB (each chunk of an encrypted blob
-- sealed on its own with AES-GCM, bound to the address, its position and
-- the chunk count), so no file needs one giant value.
CREATE TABLE file_chunks (
    blob_id BIGINT NOT NULL REFERENCES file_blobs(id),
    seq     INTEGER NOT NULL,
    data    {{BLOB}} NOT NULL,
    PRIMARY KEY (blob_id, seq)
);

-- A file: a module's named use of a blob. sha256 is the plaintext hash for
-- plain files and '' for encrypted ones (it is in the blob, sealed).
CREATE TABLE files (
    id         {{ID}},
    blob_id    BIGINT NOT NULL REFERENCES file_blobs(id),
    owner      TEXT NOT NULL,            -- the owning module: appeal, credit, bideval, ...
    name       TEXT NOT NULL,
    media_type TEXT NOT NULL,
    size       BIGINT NOT NULL,
    sha256     TEXT NOT NULL,
    created_at {{TS}} NOT NULL
);
CREATE INDEX files_blob ON files(blob_id);
