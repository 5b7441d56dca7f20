-- legacy: 1
--
-- Import runs of every importer (internal/importkit): what was read, what changed.
-- Tokens in {{...}} are replaced per dialect (internal/db/migrate.go): {{ID}} identity
-- primary key, {{TS}} timestamp with zone, {{BLOB}} binary.

CREATE TABLE imports (
    id          {{ID}},
    kind        TEXT NOT NULL,
    filename    TEXT NOT NULL,
    mode        TEXT NOT NULL,            -- all_or_nothing | valid_only
    rows_total  INTEGER NOT NULL,
    rows_created INTEGER NOT NULL,
    rows_updated INTEGER NOT NULL,
    rows_bad    INTEGER NOT NULL,
    created_by  BIGINT,
    created_at  {{TS}} NOT NULL
);
