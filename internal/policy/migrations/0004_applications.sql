-- requires: account 1, entity 1
--
-- 即申即享 claims use policy_grants as they are. Applications with review
-- (申请审核, internal/policy apply*.go): each policy's materials and review
-- steps, the applications (each keeping the policy version and the steps
-- it was made under), one review task per step and reviewer department
-- (the reviewer queue is scoped in SQL on it), the uploaded materials (in
-- the shared file store) and the timeline.
CREATE TABLE policy_review_defs (
    policy_id   BIGINT PRIMARY KEY REFERENCES policy_policies(id),
    materials   TEXT NOT NULL DEFAULT '[]',    -- JSON [{"key","name","required"}]
    steps       TEXT NOT NULL DEFAULT '[]',    -- JSON [{"name","departments":[id],"days"}]
    updated_by  BIGINT,
    updated_at  {{TS}} NOT NULL
);

CREATE TABLE policy_applications (
    id            {{ID}},
    policy_id     BIGINT NOT NULL REFERENCES policy_policies(id),
    version       INTEGER NOT NULL,              -- the policy version it was made under
    period        TEXT NOT NULL,
    entity_id     BIGINT NOT NULL REFERENCES entities(id),
    state         TEXT NOT NULL,                 -- reviewing, supplement, approved, intercepted, rejected
    step          INTEGER NOT NULL DEFAULT 0,    -- the current step (0-based)
    steps         TEXT NOT NULL,                 -- the review steps at submission (JSON)
    rev           INTEGER NOT NULL DEFAULT 1,    -- optimistic version
    clock_start   {{TS}} NOT NULL,               -- when the current step's clock started
    paused_at     {{TS}},                        -- waiting for the enterprise's supplement
    pauses        TEXT NOT NULL DEFAULT '[]',    -- closed pauses of the current step (JSON)
    alert_level   INTEGER NOT NULL DEFAULT 0,    -- highest alert sent for the current step
    grant_id      BIGINT REFERENCES policy_grants(id),
    reason        TEXT NOT NULL DEFAULT '',      -- rejection or interception (zh|en)
    submitted_by  BIGINT,
    created_at    {{TS}} NOT NULL,
    updated_at    {{TS}} NOT NULL,
    closed_at     {{TS}},
    UNIQUE (policy_id, period, entity_id)
);
CREATE INDEX policy_applications_entity ON policy_applications(entity_id, state);
CREATE INDEX policy_applications_state ON policy_applications(state, clock_start);

CREATE TABLE policy_application_tasks (
    application_id BIGINT NOT NULL REFERENCES policy_applications(id),
    step           INTEGER NOT NULL,
    department_id  BIGINT NOT NULL REFERENCES departments(id),
    status         TEXT NOT NULL DEFAULT 'pending',  -- pending, approved
    decided_by     BIGINT,
    decided_at     {{TS}},
    note           TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (application_id, step, department_id)
);
CREATE INDEX policy_application_tasks_dept ON policy_application_tasks(department_id, status);

CREATE TABLE policy_application_files (
    id             {{ID}},
    application_id BIGINT NOT NULL REFERENCES policy_applications(id),
    material       TEXT NOT NULL,
    file_id        BIGINT NOT NULL,
    name           TEXT NOT NULL,
    media_type     TEXT NOT NULL,
    size           BIGINT NOT NULL,
    created_at     {{TS}} NOT NULL
);
CREATE INDEX policy_application_files_app ON policy_application_files(application_id);

CREATE TABLE policy_application_events (
    id             {{ID}},
    application_id BIGINT NOT NULL REFERENCES policy_applications(id),
    at             {{TS}} NOT NULL,
    actor_id       BIGINT,
    actor_name     TEXT NOT NULL DEFAULT '',
    action         TEXT NOT NULL,
    from_state     TEXT NOT NULL DEFAULT '',
    to_state       TEXT NOT NULL DEFAULT '',
    note           TEXT NOT NULL DEFAULT '',
    public         BOOLEAN NOT NULL DEFAULT TRUE
);
CREATE INDEX policy_application_events_app ON policy_application_events(application_id, id);
