-- requires: account 1, entity 1
-- legacy: 5
--
-- Public credit (internal/credit): records with publicity periods, the
-- credit repair notice (两书同达), repair applications, grades, credit
-- checks (逢办必查), commitments and verifiable credit reports.

-- Publicity period rules with effective dates. A decision uses the rules of
-- the regime in force on its decision date; a rule with a sector overrides
-- the sector-less rule of the same regime and class ('*' = every class).
CREATE TABLE credit_period_rules (
    id             {{ID}},
    regime         TEXT NOT NULL,               -- order58 | order36
    effective_from TEXT NOT NULL,               -- YYYY-MM-DD, '' = always
    effective_to   TEXT NOT NULL DEFAULT '',    -- YYYY-MM-DD inclusive, '' = open
    class          TEXT NOT NULL,               -- minor | general | serious | *
    sector         TEXT NOT NULL DEFAULT '',
    min_months     INTEGER NOT NULL,
    max_months     INTEGER NOT NULL,
    publish        BOOLEAN NOT NULL DEFAULT TRUE,
    note           TEXT NOT NULL DEFAULT ''
);
INSERT INTO credit_period_rules (regime, effective_from, effective_to, class, sector, min_months, max_months, publish, note) VALUES
 ('order58', '', '2026-03-31', '*', '', 3, 36, TRUE, '国家发展改革委令2023年第58号：行政处罚信息最短公示3个月，最长3年'),
 ('order58', '', '2026-03-31', '*', 'special_equipment', 12, 36, TRUE, '第58号令：特种设备领域最短公示1年'),
 ('order58', '', '2026-03-31', '*', 'work_safety', 12, 36, TRUE, '第58号令：安全生产领域最短公示1年'),
 ('order58', '', '2026-03-31', '*', 'fire', 12, 36, TRUE, '第58号令：消防安全领域最短公示1年'),
 ('order36', '2026-04-01', '', 'minor', '', 0, 3, FALSE, '国家发展改革委令第36号：轻微失信信息可不公示；如公示最长3个月'),
 ('order36', '2026-04-01', '', 'general', '', 3, 12, TRUE, '第36号令：一般失信信息最短3个月，最长1年'),
 ('order36', '2026-04-01', '', 'serious', '', 12, 36, TRUE, '第36号令：严重失信信息最短1年，最长3年');

-- The severity classes a department uses (its classification standard).
-- A department without rows uses minor, general and serious.
CREATE TABLE credit_dept_classes (
    department_id BIGINT NOT NULL REFERENCES departments(id),
    class         TEXT NOT NULL,
    criteria      TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (department_id, class)
);

-- A record's identity and lifecycle. Its content lives in versions
-- (append-only); current_version points at the one in force.
CREATE TABLE credit_records (
    id              {{ID}},
    entity_id       BIGINT NOT NULL REFERENCES entities(id),
    department_id   BIGINT NOT NULL REFERENCES departments(id),
    kind            TEXT NOT NULL,   -- penalty | serious_list | abnormal | breach | removal | licence | commendation | tax_grade
    class           TEXT NOT NULL DEFAULT '',
    current_version INTEGER NOT NULL DEFAULT 1,
    status          TEXT NOT NULL,   -- published | unpublished | repaired | expired | removed
    negative        BOOLEAN NOT NULL DEFAULT FALSE,
    decided_on      TEXT NOT NULL DEFAULT '',
    min_end         TEXT NOT NULL DEFAULT '',
    max_end         TEXT NOT NULL DEFAULT '',
    obligations_met BOOLEAN NOT NULL DEFAULT FALSE,
    obligations_note TEXT NOT NULL DEFAULT '',
    ended_at        {{TS}},
    created_by      BIGINT,
    created_at      {{TS}} NOT NULL,
    updated_at      {{TS}} NOT NULL
);
CREATE INDEX credit_records_entity ON credit_records(entity_id, status);
CREATE INDEX credit_records_status_end ON credit_records(status, max_end);
CREATE INDEX credit_records_dept ON credit_records(department_id);

CREATE TABLE credit_record_versions (
    id          {{ID}},
    record_id   BIGINT NOT NULL REFERENCES credit_records(id),
    version     INTEGER NOT NULL,
    content     TEXT NOT NULL,      -- JSON of credit.Content
    reason      TEXT NOT NULL DEFAULT '',
    created_by  BIGINT,
    created_at  {{TS}} NOT NULL,
    UNIQUE (record_id, version)
);

-- The credit repair notice served with a penalty (两书同达).
CREATE TABLE credit_notices (
    id            {{ID}},
    record_id     BIGINT NOT NULL REFERENCES credit_records(id),
    version       INTEGER NOT NULL,
    code          TEXT NOT NULL UNIQUE,
    earliest_on   TEXT NOT NULL,
    body          TEXT NOT NULL,     -- JSON of credit.Notice
    delivered_at  {{TS}},
    notifications TEXT NOT NULL DEFAULT '', -- ids of the in-app/SMS rows
    created_at    {{TS}} NOT NULL
);
CREATE INDEX credit_notices_record ON credit_notices(record_id);

CREATE TABLE credit_commitments (
    id            {{ID}},
    entity_id     BIGINT NOT NULL REFERENCES entities(id),
    department_id BIGINT REFERENCES departments(id),
    kind          TEXT NOT NULL,   -- repair | missing_material | instead_of_certificate | other
    process       TEXT NOT NULL DEFAULT '',
    text          TEXT NOT NULL,
    deadline_on   TEXT NOT NULL DEFAULT '',
    status        TEXT NOT NULL DEFAULT 'open', -- open | fulfilled | breached
    signed_by     BIGINT,
    signed_at     {{TS}} NOT NULL,
    resolved_at   {{TS}},
    record_id     BIGINT REFERENCES credit_records(id)
);
CREATE INDEX credit_commitments_entity ON credit_commitments(entity_id);

CREATE TABLE credit_repairs (
    id             {{ID}},
    record_id      BIGINT NOT NULL REFERENCES credit_records(id),
    entity_id      BIGINT NOT NULL REFERENCES entities(id),
    department_id  BIGINT NOT NULL REFERENCES departments(id),
    status         TEXT NOT NULL,  -- submitted | more_info | approved | rejected
    statement      TEXT NOT NULL,
    commitment_id  BIGINT NOT NULL REFERENCES credit_commitments(id),
    resubmission_of BIGINT REFERENCES credit_repairs(id),
    due_at         {{TS}},
    paused_at      {{TS}},
    warned         BOOLEAN NOT NULL DEFAULT FALSE,
    request_note   TEXT NOT NULL DEFAULT '',
    reason         TEXT NOT NULL DEFAULT '',
    decided_by     BIGINT,
    decided_at     {{TS}},
    created_by     BIGINT,
    created_at     {{TS}} NOT NULL,
    updated_at     {{TS}} NOT NULL
);
CREATE INDEX credit_repairs_record ON credit_repairs(record_id);
CREATE INDEX credit_repairs_dept ON credit_repairs(department_id, status);

CREATE TABLE credit_repair_files (
    id           {{ID}},
    repair_id    BIGINT NOT NULL REFERENCES credit_repairs(id),
    name         TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size         INTEGER NOT NULL,
    sha256       TEXT NOT NULL,
    data         {{BLOB}} NOT NULL,
    created_at   {{TS}} NOT NULL
);

-- Grade rules: evaluated in seq order, the first whose conditions all hold
-- gives the grade. A condition of 0 / '' is not checked.
CREATE TABLE credit_grade_rules (
    id            {{ID}},
    seq           INTEGER NOT NULL,
    grade         TEXT NOT NULL,     -- A | B | C | D
    colour        TEXT NOT NULL DEFAULT '', -- green | blue | red | orange | grey
    min_serious_list INTEGER NOT NULL DEFAULT 0,
    min_serious   INTEGER NOT NULL DEFAULT 0,
    min_general   INTEGER NOT NULL DEFAULT 0,
    min_minor     INTEGER NOT NULL DEFAULT 0,
    min_abnormal  INTEGER NOT NULL DEFAULT 0,
    min_positive  INTEGER NOT NULL DEFAULT 0,
    tax_grades    TEXT NOT NULL DEFAULT '', -- e.g. 'C,D'
    explain_zh    TEXT NOT NULL,
    explain_en    TEXT NOT NULL
);
INSERT INTO credit_grade_rules (seq, grade, colour, min_serious_list, min_serious, min_general, min_minor, min_abnormal, min_positive, tax_grades, explain_zh, explain_en) VALUES
 (10, 'D', 'grey',   1, 0, 0, 0, 0, 0, '',  '列入严重失信主体名单', 'on the serious-dishonesty list'),
 (20, 'C', 'orange', 0, 1, 0, 0, 0, 0, '',  '有公示中的严重失信行政处罚', 'a serious penalty under publicity'),
 (30, 'C', 'orange', 0, 0, 0, 0, 1, 0, '',  '列入经营异常名录', 'on the abnormal-operation list'),
 (40, 'C', 'orange', 0, 0, 0, 0, 0, 0, 'D', '纳税信用级别为D级', 'tax credit grade D'),
 (50, 'B', 'red',    0, 0, 1, 0, 0, 0, '',  '有公示中的一般失信行政处罚', 'a general penalty under publicity'),
 (60, 'B', 'red',    0, 0, 0, 2, 0, 0, '',  '有两条以上公示中的轻微失信行政处罚', 'two or more minor penalties under publicity'),
 (70, 'B', 'red',    0, 0, 0, 0, 0, 0, 'C', '纳税信用级别为C级', 'tax credit grade C'),
 (80, 'A', 'green',  0, 0, 0, 0, 0, 1, '',  '无公示中的失信信息，且有行政许可或表彰等守信信息', 'no adverse records under publicity, and positive records'),
 (90, 'A', 'blue',   0, 0, 0, 0, 0, 0, '',  '无公示中的失信信息', 'no adverse records under publicity');

CREATE TABLE credit_grades (
    entity_id   BIGINT PRIMARY KEY REFERENCES entities(id),
    grade       TEXT NOT NULL,
    colour      TEXT NOT NULL DEFAULT '',
    explanation TEXT NOT NULL,   -- JSON of credit.Explanation
    computed_at {{TS}} NOT NULL
);
CREATE TABLE credit_grade_history (
    id          {{ID}},
    entity_id   BIGINT NOT NULL REFERENCES entities(id),
    grade       TEXT NOT NULL,
    colour      TEXT NOT NULL DEFAULT '',
    previous    TEXT NOT NULL DEFAULT '',
    explanation TEXT NOT NULL,
    cause       TEXT NOT NULL DEFAULT '',
    computed_at {{TS}} NOT NULL
);
CREATE INDEX credit_grade_history_entity ON credit_grade_history(entity_id, id);

-- Credit check rules per scene: every matching row adds its reason; the
-- worst outcome wins (deny > conditions > pass).
CREATE TABLE credit_scene_rules (
    id          {{ID}},
    scene       TEXT NOT NULL,     -- procurement | bidding | subsidy | licensing | honours
    grades      TEXT NOT NULL DEFAULT '',   -- matches when the grade is in the list
    on_serious_list BOOLEAN NOT NULL DEFAULT FALSE, -- matches when on the serious list
    outcome     TEXT NOT NULL,     -- deny | conditions
    reason_zh   TEXT NOT NULL,
    reason_en   TEXT NOT NULL
);
INSERT INTO credit_scene_rules (scene, grades, on_serious_list, outcome, reason_zh, reason_en) VALUES
 ('procurement', '',    TRUE,  'deny',       '列入严重失信主体名单，依法限制参与政府采购', 'on the serious-dishonesty list: barred from government procurement'),
 ('procurement', 'D',   FALSE, 'deny',       '信用等级D级，不得参与政府采购', 'credit grade D: may not take part in procurement'),
 ('procurement', 'C',   FALSE, 'conditions', '信用等级C级：须提交信用承诺书，不适用承诺代替证明', 'credit grade C: must sign a commitment; no commitment instead of certificates'),
 ('bidding',     '',    TRUE,  'deny',       '列入严重失信主体名单，依法限制参与招标投标', 'on the serious-dishonesty list: barred from bidding'),
 ('bidding',     'D',   FALSE, 'deny',       '信用等级D级，不得参与投标', 'credit grade D: may not bid'),
 ('bidding',     'C',   FALSE, 'conditions', '信用等级C级：加强资格审查，须提交信用承诺书', 'credit grade C: closer qualification review and a signed commitment'),
 ('subsidy',     '',    TRUE,  'deny',       '列入严重失信主体名单，不得享受财政补贴', 'on the serious-dishonesty list: no public subsidies'),
 ('subsidy',     'C,D', FALSE, 'deny',       '信用等级C级或D级，暂停享受财政补贴', 'credit grade C or D: subsidies suspended'),
 ('licensing',   '',    TRUE,  'conditions', '列入严重失信主体名单：不适用告知承诺制，须提交全部材料并现场核查', 'on the serious-dishonesty list: no approval by commitment, full materials and an on-site check'),
 ('licensing',   'D',   FALSE, 'conditions', '信用等级D级：不适用容缺受理', 'credit grade D: no acceptance with missing material'),
 ('honours',     '',    TRUE,  'deny',       '列入严重失信主体名单，不得参加评优评先', 'on the serious-dishonesty list: not eligible for honours'),
 ('honours',     'B,C,D', FALSE, 'deny',     '有公示中的失信信息，不得参加评优评先', 'adverse records under publicity: not eligible for honours');

CREATE TABLE credit_checks (
    id         {{ID}},
    entity_id  BIGINT NOT NULL REFERENCES entities(id),
    scene      TEXT NOT NULL,
    result     TEXT NOT NULL,     -- pass | pass_with_conditions | deny
    reasons    TEXT NOT NULL,     -- JSON
    grade      TEXT NOT NULL DEFAULT '',
    asked_by   BIGINT,
    asker      TEXT NOT NULL DEFAULT '',
    purpose    TEXT NOT NULL,
    created_at {{TS}} NOT NULL
);
CREATE INDEX credit_checks_scene ON credit_checks(scene, result);

-- Credit reports, verifiable by code on a public page.
CREATE TABLE credit_reports (
    id          {{ID}},
    code        TEXT NOT NULL UNIQUE,
    entity_id   BIGINT NOT NULL REFERENCES entities(id),
    grade       TEXT NOT NULL DEFAULT '',
    records     INTEGER NOT NULL DEFAULT 0,
    digest      TEXT NOT NULL,
    created_by  BIGINT,
    created_at  {{TS}} NOT NULL
);
