-- legacy: 1
--
-- Departments: the tree of the city's bureaus, counties and offices (internal/account).
-- Tokens in {{...}} are replaced per dialect (internal/db/migrate.go): {{ID}} identity
-- primary key, {{TS}} timestamp with zone, {{BLOB}} binary.

CREATE TABLE departments (
    id          {{ID}},
    parent_id   BIGINT REFERENCES departments(id),
    code        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    name_en     TEXT NOT NULL DEFAULT '',
    kind        TEXT NOT NULL,            -- city | county | bureau | office
    region_code TEXT NOT NULL DEFAULT '',
    created_at  {{TS}} NOT NULL,
    updated_at  {{TS}} NOT NULL
);
CREATE INDEX departments_parent ON departments(parent_id);
