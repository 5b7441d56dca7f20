-- Issue 18 items 9, 10 and 12: grade models per sector, scenes as
-- configuration with incentives, and the governance dashboard's ledger.

-- Grade models (分行业信用评价模型): one per group of sectors (GB/T 4754
-- division-code prefixes, "*" for every other sector), with their own
-- indicators, weights and levels kept as JSON (levels: code, names,
-- colour, minimum score; indicators: code, names, weight, source).
CREATE TABLE credit_grade_models (
    id          {{ID}},
    code        TEXT NOT NULL UNIQUE,
    name_zh     TEXT NOT NULL,
    name_en     TEXT NOT NULL,
    sectors     TEXT NOT NULL,               -- comma-separated division prefixes, or *
    definition  TEXT NOT NULL,               -- JSON {levels, indicators, serious_list_lowest}
    updated_at  {{TS}} NOT NULL
);

-- Inputs other modules (inspections, contracts, procurement ratings) and
-- departments push through credit.RecordInput: the latest input of an
-- indicator counts; older ones stay as the trail.
CREATE TABLE credit_grade_inputs (
    id            {{ID}},
    entity_id     BIGINT NOT NULL REFERENCES entities(id),
    indicator     TEXT NOT NULL,
    value         DOUBLE PRECISION NOT NULL,   -- 0..100
    source        TEXT NOT NULL,               -- inspect | contract | procure | a department's note
    reason        TEXT NOT NULL,
    department_id BIGINT,
    recorded_by   TEXT NOT NULL DEFAULT '',
    created_at    {{TS}} NOT NULL
);
CREATE INDEX credit_grade_inputs_entity ON credit_grade_inputs(entity_id, indicator, id);

-- An entity's level under its sector's model, and the level's history.
CREATE TABLE credit_model_grades (
    entity_id   BIGINT PRIMARY KEY REFERENCES entities(id),
    model_id    BIGINT NOT NULL REFERENCES credit_grade_models(id),
    level       TEXT NOT NULL,
    score       DOUBLE PRECISION NOT NULL,
    breakdown   TEXT NOT NULL,                 -- JSON: indicator, weight, value, reason
    computed_at {{TS}} NOT NULL
);
CREATE TABLE credit_model_grade_history (
    id          {{ID}},
    entity_id   BIGINT NOT NULL REFERENCES entities(id),
    model_id    BIGINT NOT NULL,
    model_code  TEXT NOT NULL,
    level       TEXT NOT NULL,
    previous    TEXT NOT NULL DEFAULT '',
    score       DOUBLE PRECISION NOT NULL,
    breakdown   TEXT NOT NULL,
    cause       TEXT NOT NULL,
    computed_at {{TS}} NOT NULL
);
CREATE INDEX credit_model_grade_history_entity ON credit_model_grade_history(entity_id, id);

-- Scenes of the credit check as configuration (Jiaozuo uses 18).
CREATE TABLE credit_scenes (
    code        TEXT PRIMARY KEY,
    seq         INTEGER NOT NULL,
    name_zh     TEXT NOT NULL,
    name_en     TEXT NOT NULL,
    note_zh     TEXT NOT NULL DEFAULT '',
    note_en     TEXT NOT NULL DEFAULT ''
);
INSERT INTO credit_scenes (code, seq, name_zh, name_en) VALUES
 ('procurement', 1, '政府采购', 'government procurement'),
 ('bidding',     2, '招标投标', 'bidding'),
 ('subsidy',     3, '财政补贴', 'subsidies'),
 ('licensing',   4, '行政许可', 'licensing'),
 ('honours',     5, '评优评先', 'honours');

-- A scene rule may now grant an incentive (outcome incentive with a
-- measure: 免检, priority handling, 容缺 acceptance, bond waiver ...) and
-- match the level of the entity's sector grade model as well as the grade.
ALTER TABLE credit_scene_rules ADD COLUMN measure TEXT NOT NULL DEFAULT '';
ALTER TABLE credit_scene_rules ADD COLUMN levels TEXT NOT NULL DEFAULT '';
ALTER TABLE credit_checks ADD COLUMN incentives TEXT NOT NULL DEFAULT '';  -- comma-separated measures granted
ALTER TABLE credit_checks ADD COLUMN model_level TEXT NOT NULL DEFAULT '';

-- Governance settings: an entity with hf_records or more adverse records
-- decided within hf_months months is a high-frequency dishonest
-- enterprise (高频失信).
CREATE TABLE credit_governance_settings (
    id          INTEGER PRIMARY KEY,
    hf_records  INTEGER NOT NULL,
    hf_months   INTEGER NOT NULL,
    updated_at  {{TS}}
);
INSERT INTO credit_governance_settings (id, hf_records, hf_months) VALUES (1, 3, 12);

-- The key-governance ledger (重点治理台账): high-frequency entities found
-- by the scan, and entities the credit office adds by hand, with their
-- measures and their exit.
CREATE TABLE credit_governance_ledger (
    id             {{ID}},
    entity_id      BIGINT NOT NULL REFERENCES entities(id),
    source         TEXT NOT NULL,             -- high_frequency | manual
    records        INTEGER NOT NULL DEFAULT 0, -- adverse records in the window when last scanned
    department_id  BIGINT,                    -- the department responsible for the measures
    measures       TEXT NOT NULL DEFAULT '',
    note           TEXT NOT NULL DEFAULT '',
    status         TEXT NOT NULL,             -- active | exited
    entered_on     TEXT NOT NULL,             -- YYYY-MM-DD
    exited_on      TEXT NOT NULL DEFAULT '',
    exit_reason    TEXT NOT NULL DEFAULT '',
    created_at     {{TS}} NOT NULL,
    updated_at     {{TS}} NOT NULL
);
CREATE INDEX credit_governance_ledger_entity ON credit_governance_ledger(entity_id, status);
