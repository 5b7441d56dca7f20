-- requires: account 2, entity 1, filestore 1
--
-- The inspect module (监管执法, internal/inspect): 一单两库 (check items,
-- inspectors; the target directory is a filter over the entity registry,
-- frozen in the sampling draw's candidate list), plans, tasks, scans,
-- per-item results and photos. Dates are YYYY-MM-DD (Asia/Shanghai).
CREATE TABLE inspect_items (
    id            {{ID}},
    department_id BIGINT NOT NULL REFERENCES departments(id),
    code          TEXT NOT NULL,
    name          TEXT NOT NULL,
    legal_basis   TEXT NOT NULL,
    method        TEXT NOT NULL,            -- onsite | documents | sampling | online
    entity_types  TEXT NOT NULL DEFAULT '', -- ",type1,type2," (empty: all)
    industries    TEXT NOT NULL DEFAULT '', -- ",C14,F52," GB/T 4754 prefixes (empty: all)
    risk_level    TEXT NOT NULL,            -- low | medium | high
    first_offence BOOLEAN NOT NULL DEFAULT FALSE, -- on the 首违不罚 list
    active        BOOLEAN NOT NULL DEFAULT TRUE,
    created_at    {{TS}} NOT NULL,
    UNIQUE (department_id, code)
);

CREATE TABLE inspect_inspectors (
    id            {{ID}},
    department_id BIGINT NOT NULL REFERENCES departments(id),
    name          TEXT NOT NULL,
    cert_no       TEXT NOT NULL UNIQUE,     -- 执法证号
    status        TEXT NOT NULL,            -- active | suspended | retired
    specialties   TEXT NOT NULL DEFAULT '', -- ",food,safety,"
    region_code   TEXT NOT NULL,
    relations     TEXT NOT NULL DEFAULT '', -- ",USCC1,USCC2," declared relations (回避)
    user_id       BIGINT REFERENCES users(id),
    created_at    {{TS}} NOT NULL,
    updated_at    {{TS}} NOT NULL
);
CREATE INDEX inspect_inspectors_dept ON inspect_inspectors(department_id, status);
CREATE INDEX inspect_inspectors_user ON inspect_inspectors(user_id);

CREATE TABLE inspect_plans (
    id             {{ID}},
    code           TEXT NOT NULL UNIQUE,
    title          TEXT NOT NULL,
    department_id  BIGINT NOT NULL REFERENCES departments(id), -- lead department
    joint          BOOLEAN NOT NULL DEFAULT FALSE,
    routine        BOOLEAN NOT NULL DEFAULT TRUE,
    exception_kind TEXT NOT NULL DEFAULT '',  -- safety | environment | complaint | assigned (quiet-day exception)
    exception_reason TEXT NOT NULL DEFAULT '',
    starts_on      TEXT NOT NULL,
    ends_on        TEXT NOT NULL,
    regions        TEXT NOT NULL DEFAULT '',  -- target filter: ",4110," region prefixes
    industries     TEXT NOT NULL DEFAULT '',  -- target filter: industry prefixes
    ratios         TEXT NOT NULL,             -- "A:20,B:50,C:200,D:500" per mille
    team_size      INTEGER NOT NULL,
    status         TEXT NOT NULL,             -- draft | submitted | filed | committed | sampled
    filing_no      TEXT NOT NULL DEFAULT '',
    filed_at       {{TS}},
    draw_id        BIGINT,
    strata         TEXT NOT NULL DEFAULT '',  -- per-stratum sizes and counts at commitment, JSON
    created_by     BIGINT,
    created_at     {{TS}} NOT NULL,
    version        INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX inspect_plans_dept ON inspect_plans(department_id, status);

CREATE TABLE inspect_plan_departments (
    plan_id       BIGINT NOT NULL REFERENCES inspect_plans(id),
    department_id BIGINT NOT NULL REFERENCES departments(id),
    PRIMARY KEY (plan_id, department_id)
);
CREATE INDEX inspect_plan_departments_dept ON inspect_plan_departments(department_id);

CREATE TABLE inspect_plan_items (
    plan_id BIGINT NOT NULL REFERENCES inspect_plans(id),
    item_id BIGINT NOT NULL REFERENCES inspect_items(id),
    PRIMARY KEY (plan_id, item_id)
);

CREATE TABLE inspect_tasks (
    id           {{ID}},
    plan_id      BIGINT NOT NULL REFERENCES inspect_plans(id),
    entity_id    BIGINT NOT NULL REFERENCES entities(id),
    uscc         TEXT NOT NULL,
    class        TEXT NOT NULL,            -- credit class at sampling
    year         INTEGER NOT NULL,
    routine      BOOLEAN NOT NULL,
    status       TEXT NOT NULL,            -- assigned | entered | closed
    scanned_at   {{TS}},
    unscanned    BOOLEAN NOT NULL DEFAULT FALSE, -- a result was recorded before any scan
    ended_on     TEXT NOT NULL DEFAULT '',
    publish_by   TEXT NOT NULL DEFAULT '',  -- ended_on + N working days
    published_at {{TS}},
    problem      BOOLEAN NOT NULL DEFAULT FALSE,
    confirmed_at {{TS}},
    confirmation TEXT NOT NULL DEFAULT '',
    rating       INTEGER NOT NULL DEFAULT 0,
    created_at   {{TS}} NOT NULL,
    version      INTEGER NOT NULL DEFAULT 1,
    UNIQUE (plan_id, entity_id)
);
CREATE INDEX inspect_tasks_entity ON inspect_tasks(entity_id, year);
CREATE INDEX inspect_tasks_status ON inspect_tasks(plan_id, status);

CREATE TABLE inspect_task_inspectors (
    task_id      BIGINT NOT NULL REFERENCES inspect_tasks(id),
    inspector_id BIGINT NOT NULL REFERENCES inspect_inspectors(id),
    seq          INTEGER NOT NULL,
    PRIMARY KEY (task_id, inspector_id)
);
CREATE INDEX inspect_task_inspectors_insp ON inspect_task_inspectors(inspector_id);

CREATE TABLE inspect_scans (
    id           {{ID}},
    task_id      BIGINT NOT NULL REFERENCES inspect_tasks(id),
    inspector_id BIGINT NOT NULL REFERENCES inspect_inspectors(id),
    scanned_at   {{TS}} NOT NULL,
    latitude     TEXT NOT NULL DEFAULT '',
    longitude    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX inspect_scans_task ON inspect_scans(task_id);

CREATE TABLE inspect_results (
    id             {{ID}},
    task_id        BIGINT NOT NULL REFERENCES inspect_tasks(id),
    item_id        BIGINT NOT NULL REFERENCES inspect_items(id),
    outcome        TEXT NOT NULL,          -- ok | problem | rectify | case
    note           TEXT NOT NULL DEFAULT '',
    rectify_by     TEXT NOT NULL DEFAULT '',
    rectified_at   {{TS}},
    proof_file_id  BIGINT REFERENCES files(id),
    first_offence  BOOLEAN NOT NULL DEFAULT FALSE, -- 首违不罚 applied: no penalty
    credit_record_id BIGINT,
    inspector_id   BIGINT REFERENCES inspect_inspectors(id),
    without_scan   BOOLEAN NOT NULL DEFAULT FALSE,
    recorded_at    {{TS}} NOT NULL,
    UNIQUE (task_id, item_id)
);

CREATE TABLE inspect_files (
    id      {{ID}},
    task_id BIGINT NOT NULL REFERENCES inspect_tasks(id),
    file_id BIGINT NOT NULL REFERENCES files(id),
    kind    TEXT NOT NULL,                 -- photo | document | proof
    added_by BIGINT,
    added_at {{TS}} NOT NULL
);
CREATE INDEX inspect_files_task ON inspect_files(task_id);
