-- requires: inspect 1
--
-- Issue 15, the rest: the enterprise's rating of a visit (one per task and
-- entity, with a comment) and its complaints (appeals of topic 执法检查
-- created through the appeal module's Go API; the appeal's id and number
-- are kept here, the appeal itself is the appeal module's); the
-- department's review of rectification proof and the overdue mark of a
-- 首违不罚 finding; quiet-day exceptions as rows (the office's monthly list)
-- with who filed (approved) the plan; and the keys of the notices the
-- module's jobs have sent, so that a job run twice sends nothing twice.
CREATE TABLE inspect_ratings (
    id        {{ID}},
    task_id   BIGINT NOT NULL REFERENCES inspect_tasks(id),
    entity_id BIGINT NOT NULL REFERENCES entities(id),
    rating    INTEGER NOT NULL,            -- 1-5
    comment   TEXT NOT NULL DEFAULT '',
    rated_by  BIGINT,
    rated_at  {{TS}} NOT NULL,
    UNIQUE (task_id, entity_id)
);

CREATE TABLE inspect_complaints (
    id            {{ID}},
    task_id       BIGINT NOT NULL REFERENCES inspect_tasks(id),
    entity_id     BIGINT NOT NULL REFERENCES entities(id),
    appeal_id     BIGINT NOT NULL,          -- the appeal module's appeal (no foreign key: its table)
    appeal_number TEXT NOT NULL,
    filed_by      BIGINT,
    filed_at      {{TS}} NOT NULL
);
CREATE INDEX inspect_complaints_task ON inspect_complaints(task_id);

ALTER TABLE inspect_results ADD COLUMN proof_status TEXT NOT NULL DEFAULT ''; -- '' | submitted | accepted | returned
ALTER TABLE inspect_results ADD COLUMN proof_note TEXT NOT NULL DEFAULT '';
ALTER TABLE inspect_results ADD COLUMN overdue BOOLEAN NOT NULL DEFAULT FALSE; -- 首违不罚 deadline passed without accepted proof

ALTER TABLE inspect_plans ADD COLUMN filed_by BIGINT;

CREATE TABLE inspect_exceptions (
    plan_id       BIGINT PRIMARY KEY REFERENCES inspect_plans(id),
    department_id BIGINT NOT NULL REFERENCES departments(id),
    kind          TEXT NOT NULL,            -- safety | environment | complaint | assigned
    reason        TEXT NOT NULL,
    starts_on     TEXT NOT NULL,
    month         TEXT NOT NULL,            -- YYYY-MM of starts_on
    recorded_by   BIGINT,
    recorded_at   {{TS}} NOT NULL,
    approved_by   BIGINT,                   -- who filed (备案) the plan
    approved_at   {{TS}}
);
CREATE INDEX inspect_exceptions_month ON inspect_exceptions(month);

INSERT INTO inspect_exceptions (plan_id, department_id, kind, reason, starts_on, month, recorded_by, recorded_at, approved_at)
    SELECT id, department_id, exception_kind, exception_reason, starts_on, substr(starts_on, 1, 7), created_by, created_at, filed_at
    FROM inspect_plans WHERE NOT routine;

CREATE TABLE inspect_notices (
    kind    TEXT NOT NULL,                  -- rectify_notice | rectify_remind | overdue | unscanned | publish_due
    ref     TEXT NOT NULL,                  -- result id, task id or month
    sent_at {{TS}} NOT NULL,
    PRIMARY KEY (kind, ref)
);
