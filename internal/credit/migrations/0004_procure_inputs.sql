-- Procurement-sector inputs (issue 16): the procure module's four-party
-- mutual ratings of suppliers and agencies after each project, one row per
-- rating (source is the procure rating's reference, so a rating is counted
-- once). score is the rating's points as a percentage of the template's
-- maximum (0-100). role: supplier | agency.
CREATE TABLE credit_procure_inputs (
    id            {{ID}},
    entity_id     BIGINT NOT NULL REFERENCES entities(id),
    role          TEXT NOT NULL,
    score         DOUBLE PRECISION NOT NULL,
    source        TEXT NOT NULL UNIQUE,
    project_code  TEXT NOT NULL,
    rater_party   TEXT NOT NULL,
    rated_on      TEXT NOT NULL,
    created_at    {{TS}} NOT NULL
);
CREATE INDEX credit_procure_inputs_entity ON credit_procure_inputs (entity_id);
