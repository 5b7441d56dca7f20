-- requires: account 1
-- legacy: 1
--
-- The market-entity registry (internal/entity).
-- Tokens in {{...}} are replaced per dialect (internal/db/migrate.go): {{ID}} identity
-- primary key, {{TS}} timestamp with zone, {{BLOB}} binary.

CREATE TABLE entities (
    id              {{ID}},
    uscc            TEXT NOT NULL UNIQUE,
    name            TEXT NOT NULL,
    entity_type     TEXT NOT NULL DEFAULT '',
    legal_rep_name  TEXT NOT NULL DEFAULT '',
    legal_rep_id_enc {{BLOB}},
    legal_rep_id_mask TEXT NOT NULL DEFAULT '',
    address         TEXT NOT NULL DEFAULT '',
    region_code     TEXT NOT NULL DEFAULT '',
    industry_code   TEXT NOT NULL DEFAULT '',
    size_class      TEXT NOT NULL DEFAULT '',
    size_source     TEXT NOT NULL DEFAULT '',  -- computed | set
    employees       INTEGER,
    revenue_wan     DOUBLE PRECISION,
    assets_wan      DOUBLE PRECISION,
    founded_on      TEXT NOT NULL DEFAULT '',  -- YYYY-MM-DD
    status          TEXT NOT NULL DEFAULT 'active', -- active(存续) operating(在业) revoked(吊销) cancelled(注销)
    phone_enc       {{BLOB}},
    phone_mask      TEXT NOT NULL DEFAULT '',
    phone_hash      TEXT NOT NULL DEFAULT '',
    tags            TEXT NOT NULL DEFAULT '',  -- normalised ",tag1,tag2,"
    department_id   BIGINT REFERENCES departments(id), -- the department that manages the record
    created_at      {{TS}} NOT NULL,
    updated_at      {{TS}} NOT NULL
);
CREATE INDEX entities_region_industry ON entities(region_code, industry_code);
CREATE INDEX entities_industry ON entities(industry_code);
CREATE INDEX entities_name ON entities(name);
CREATE INDEX entities_size ON entities(size_class);
