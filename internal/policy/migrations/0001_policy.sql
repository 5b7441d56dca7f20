-- requires: account 1, entity 1
--
-- Policy matching (惠企政策, internal/policy): policies owned by a
-- department, their versions (each with the rule it was decided under),
-- the yearly facts departments import, and grants.
CREATE TABLE policy_policies (
    id             {{ID}},
    department_id  BIGINT NOT NULL REFERENCES departments(id),
    title          TEXT NOT NULL,
    doc_no         TEXT NOT NULL DEFAULT '',     -- 文号
    doc_url        TEXT NOT NULL DEFAULT '',
    legal_basis    TEXT NOT NULL DEFAULT '',
    category       TEXT NOT NULL,                -- innovation, talent, finance, industry, ...
    mode           TEXT NOT NULL,                -- auto (免申即享), instant (即申即享), review
    summary        TEXT NOT NULL DEFAULT '',
    guide          TEXT NOT NULL DEFAULT '',     -- 办事指南
    valid_from     TEXT NOT NULL,                -- YYYY-MM-DD
    valid_to       TEXT NOT NULL,                -- YYYY-MM-DD
    fact_year      INTEGER NOT NULL,             -- the year of the yearly facts it reads
    budget_fen     BIGINT NOT NULL DEFAULT 0,    -- 0: no budget limit
    review_days    INTEGER NOT NULL DEFAULT 0,   -- time limit in working days
    status         TEXT NOT NULL DEFAULT 'draft', -- draft, published, withdrawn
    version        INTEGER NOT NULL DEFAULT 1,   -- the current version
    created_by     BIGINT,
    created_at     {{TS}} NOT NULL,
    updated_at     {{TS}} NOT NULL,
    published_at   {{TS}}
);
CREATE INDEX policy_policies_dept ON policy_policies(department_id, status);
CREATE INDEX policy_policies_status ON policy_policies(status, category);

CREATE TABLE policy_versions (
    id          {{ID}},
    policy_id   BIGINT NOT NULL REFERENCES policy_policies(id),
    version     INTEGER NOT NULL,
    condition   TEXT NOT NULL,   -- the rule (JSON, see internal/policy/rules)
    amount      TEXT NOT NULL DEFAULT '',   -- the amount formula (JSON) or ''
    note        TEXT NOT NULL DEFAULT '',
    created_by  BIGINT,
    created_at  {{TS}} NOT NULL,
    UNIQUE (policy_id, version)
);

-- Yearly facts (营业收入, 研发费用, 高新证书 ...) per entity, year and fact,
-- with the department and file they came from.
CREATE TABLE policy_facts (
    entity_id     BIGINT NOT NULL REFERENCES entities(id),
    year          INTEGER NOT NULL,
    fact          TEXT NOT NULL,
    value_num     DOUBLE PRECISION,
    value_text    TEXT NOT NULL DEFAULT '',
    source        TEXT NOT NULL DEFAULT '',
    department_id BIGINT REFERENCES departments(id),
    updated_at    {{TS}} NOT NULL,
    PRIMARY KEY (entity_id, year, fact)
);
CREATE INDEX policy_facts_year ON policy_facts(year, entity_id);

-- Grants (免申即享 rounds and claims): one per policy, period and entity;
-- the unique key is what makes a resumed round grant nobody twice.
CREATE TABLE policy_grants (
    id           {{ID}},
    policy_id    BIGINT NOT NULL REFERENCES policy_policies(id),
    version      INTEGER NOT NULL,               -- the policy version it was decided under
    period       TEXT NOT NULL,                  -- e.g. 2025
    entity_id    BIGINT NOT NULL REFERENCES entities(id),
    amount_fen   BIGINT NOT NULL,
    status       TEXT NOT NULL,                  -- accepted (受理), excluded, approved (审核), paid (到账)
    reason       TEXT NOT NULL DEFAULT '',       -- why excluded or intercepted (zh|en)
    trace        TEXT NOT NULL DEFAULT '',       -- the evaluation trace (JSON)
    created_at   {{TS}} NOT NULL,
    approved_at  {{TS}},
    paid_at      {{TS}},
    payment_ref  TEXT NOT NULL DEFAULT '',
    UNIQUE (policy_id, period, entity_id)
);
CREATE INDEX policy_grants_entity ON policy_grants(entity_id, status);
