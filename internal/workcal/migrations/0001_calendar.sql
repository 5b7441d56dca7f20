-- legacy: 1
--
-- The working-day calendar: official holidays and local adjustments (internal/workcal).
-- Tokens in {{...}} are replaced per dialect (internal/db/migrate.go): {{ID}} identity
-- primary key, {{TS}} timestamp with zone, {{BLOB}} binary.

CREATE TABLE calendar_days (
    day        TEXT PRIMARY KEY,       -- YYYY-MM-DD
    kind       TEXT NOT NULL,          -- holiday | workday
    name       TEXT NOT NULL DEFAULT '',
    source     TEXT NOT NULL,          -- official | admin | import
    updated_at {{TS}} NOT NULL,
    updated_by BIGINT
);
