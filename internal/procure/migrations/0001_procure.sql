-- requires: account 2, entity 1
--
-- Government procurement (internal/procure, docs/procure.md): intentions,
-- purchasing plans, pooling groups (拼单采购), projects with the SME
-- set-aside decision, supplier registrations (credit check, commitment,
-- SME declaration), bids and their evaluation, contracts per unit,
-- challenges and complaints with statutory clocks. Amounts are in fen
-- (1/100 yuan); calendar dates are YYYY-MM-DD text (Asia/Shanghai).

-- Procurement intentions (采购意向), published before the procurement starts.
CREATE TABLE procure_intentions (
    id             {{ID}},
    department_id  BIGINT NOT NULL REFERENCES departments(id),
    title          TEXT NOT NULL,
    category_code  TEXT NOT NULL,
    budget_fen     BIGINT NOT NULL,
    start_on       TEXT NOT NULL,      -- when the procurement is to start
    published_on   TEXT NOT NULL,
    note           TEXT NOT NULL DEFAULT '',
    created_by     BIGINT REFERENCES users(id),
    created_at     {{TS}} NOT NULL
);
CREATE INDEX procure_intentions_dept ON procure_intentions (department_id);

-- Purchasing plans (采购计划): one line per need of a unit.
-- spec_key is the normalised specification (attributes sorted), the key
-- pooling groups on together with the category code.
CREATE TABLE procure_plans (
    id             {{ID}},
    department_id  BIGINT NOT NULL REFERENCES departments(id),
    year           INTEGER NOT NULL,
    category_code  TEXT NOT NULL,
    spec           TEXT NOT NULL,
    spec_key       TEXT NOT NULL,
    quantity       BIGINT NOT NULL,
    unit           TEXT NOT NULL DEFAULT '',
    budget_fen     BIGINT NOT NULL,
    wanted_on      TEXT NOT NULL,
    status         TEXT NOT NULL DEFAULT 'open',  -- open | pooling | pooled | project
    pool_id        BIGINT,
    project_id     BIGINT,
    created_by     BIGINT REFERENCES users(id),
    created_at     {{TS}} NOT NULL,
    version        INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX procure_plans_pooling ON procure_plans (status, category_code, spec_key, wanted_on);
CREATE INDEX procure_plans_dept ON procure_plans (department_id, id);

-- Pooling groups (拼单采购组): the finance bureau turns a proposal into a
-- group; every unit confirms its line; a lead unit writes one file.
CREATE TABLE procure_pools (
    id                 {{ID}},
    category_code      TEXT NOT NULL,
    spec_key           TEXT NOT NULL,
    spec               TEXT NOT NULL,
    period_from        TEXT NOT NULL,
    period_to          TEXT NOT NULL,
    status             TEXT NOT NULL DEFAULT 'confirming', -- confirming | confirmed | project | cancelled
    lead_department_id BIGINT REFERENCES departments(id),
    coordination       TEXT NOT NULL DEFAULT '',
    project_id         BIGINT,
    created_by         BIGINT REFERENCES users(id),
    created_at         {{TS}} NOT NULL,
    version            INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE procure_pool_members (
    pool_id        BIGINT NOT NULL REFERENCES procure_pools(id),
    plan_id        BIGINT NOT NULL REFERENCES procure_plans(id),
    department_id  BIGINT NOT NULL REFERENCES departments(id),
    status         TEXT NOT NULL DEFAULT 'pending', -- pending | confirmed | declined
    decided_by     BIGINT REFERENCES users(id),
    decided_at     {{TS}},
    PRIMARY KEY (pool_id, plan_id)
);

-- Projects (采购项目). set_aside: full (专门面向中小企业) | partial (预留份额)
-- | none (with an exception of 财库〔2020〕46号 Art. 6 in set_aside_reason).
CREATE TABLE procure_projects (
    id                  {{ID}},
    code                TEXT NOT NULL UNIQUE,
    department_id       BIGINT NOT NULL REFERENCES departments(id),
    title               TEXT NOT NULL,
    method              TEXT NOT NULL,
    kind                TEXT NOT NULL,     -- goods | services | works
    category_code       TEXT NOT NULL,
    budget_fen          BIGINT NOT NULL,
    set_aside           TEXT NOT NULL,
    set_aside_share     INTEGER NOT NULL DEFAULT 0,
    small_micro_share   INTEGER NOT NULL DEFAULT 0,
    set_aside_reason    TEXT NOT NULL DEFAULT '',
    eval_method         TEXT NOT NULL,     -- lowest_price | comprehensive
    price_weight        INTEGER NOT NULL DEFAULT 0,
    deduction_pct       INTEGER NOT NULL DEFAULT 0,
    consortium_pct      INTEGER NOT NULL DEFAULT 0,
    commitment_allowed  BOOLEAN NOT NULL DEFAULT TRUE,
    committee_size      INTEGER NOT NULL DEFAULT 5,
    pool_id             BIGINT REFERENCES procure_pools(id),
    lots_json           TEXT NOT NULL DEFAULT '[]',
    status              TEXT NOT NULL DEFAULT 'open', -- open | evaluated | awarded | contracted
    award_on            TEXT NOT NULL DEFAULT '',
    winner_bid_id       BIGINT,
    award_fen           BIGINT NOT NULL DEFAULT 0,
    created_by          BIGINT REFERENCES users(id),
    created_at          {{TS}} NOT NULL,
    version             INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX procure_projects_dept ON procure_projects (department_id, id);

-- Supplier registrations and bids. size_declared is the SME declaration
-- (中小企业声明函): micro | small | medium | large; kind: single |
-- consortium (联合体/分包 with small/micro share).
CREATE TABLE procure_bids (
    id                {{ID}},
    project_id        BIGINT NOT NULL REFERENCES procure_projects(id),
    entity_id         BIGINT NOT NULL REFERENCES entities(id),
    credit_result     TEXT NOT NULL,
    credit_check_id   BIGINT NOT NULL DEFAULT 0,
    commitment_id     BIGINT NOT NULL DEFAULT 0,
    size_declared     TEXT NOT NULL DEFAULT '',
    size_registry     TEXT NOT NULL DEFAULT '',
    bid_kind          TEXT NOT NULL DEFAULT 'single',
    price_fen         BIGINT NOT NULL DEFAULT 0,
    tech_score        DOUBLE PRECISION NOT NULL DEFAULT 0,
    deduction_pct     INTEGER NOT NULL DEFAULT 0,
    evaluated_fen     BIGINT NOT NULL DEFAULT 0,
    price_score       DOUBLE PRECISION NOT NULL DEFAULT 0,
    total_score       DOUBLE PRECISION NOT NULL DEFAULT 0,
    rank              INTEGER NOT NULL DEFAULT 0,
    created_by        BIGINT REFERENCES users(id),
    created_at        {{TS}} NOT NULL,
    UNIQUE (project_id, entity_id)
);

-- Contracts (合同): one per unit of a pooled project, else one.
CREATE TABLE procure_contracts (
    id              {{ID}},
    project_id      BIGINT NOT NULL REFERENCES procure_projects(id),
    department_id   BIGINT NOT NULL REFERENCES departments(id),
    entity_id       BIGINT NOT NULL REFERENCES entities(id),
    plan_id         BIGINT,
    quantity        BIGINT NOT NULL DEFAULT 0,
    budget_fen      BIGINT NOT NULL,
    amount_fen      BIGINT NOT NULL,
    sme             BOOLEAN NOT NULL DEFAULT FALSE,
    small_micro     BOOLEAN NOT NULL DEFAULT FALSE,
    due_on          TEXT NOT NULL,          -- sign by (award + 30 days)
    signed_on       TEXT NOT NULL DEFAULT '',
    publish_due_on  TEXT NOT NULL DEFAULT '',
    published_on    TEXT NOT NULL DEFAULT '',
    accepted_on     TEXT NOT NULL DEFAULT '',
    pay_due_on      TEXT NOT NULL DEFAULT '',
    paid_on         TEXT NOT NULL DEFAULT '',
    paid_fen        BIGINT NOT NULL DEFAULT 0,
    created_at      {{TS}} NOT NULL,
    version         INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX procure_contracts_dept ON procure_contracts (department_id, id);
CREATE INDEX procure_contracts_project ON procure_contracts (project_id);

-- Challenges (质疑) and complaints (投诉) with their statutory clocks.
CREATE TABLE procure_challenges (
    id                  {{ID}},
    project_id          BIGINT NOT NULL REFERENCES procure_projects(id),
    entity_id           BIGINT NOT NULL REFERENCES entities(id),
    known_on            TEXT NOT NULL,
    filed_on            TEXT NOT NULL,
    text                TEXT NOT NULL,
    answer_due_on       TEXT NOT NULL,
    answered_on         TEXT NOT NULL DEFAULT '',
    answer              TEXT NOT NULL DEFAULT '',
    complaint_due_on    TEXT NOT NULL DEFAULT '',
    complaint_on        TEXT NOT NULL DEFAULT '',
    complaint           TEXT NOT NULL DEFAULT '',
    decision_due_on     TEXT NOT NULL DEFAULT '',
    decided_on          TEXT NOT NULL DEFAULT '',
    decision            TEXT NOT NULL DEFAULT '',
    status              TEXT NOT NULL DEFAULT 'filed', -- filed | answered | complained | decided
    created_at          {{TS}} NOT NULL,
    version             INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX procure_challenges_project ON procure_challenges (project_id);
