-- Issue 18 items 6, 8 and 11: assisted repair (帮办/代办), staged review
-- (初审, external steps with their clock), red and black lists (红黑榜).

-- Service points (帮办代办点): a department or unit (hall window, street
-- office, market, bank branch) registered by the platform admins; its staff
-- may apply for credit repair on an enterprise's behalf.
CREATE TABLE credit_service_points (
    department_id BIGINT PRIMARY KEY REFERENCES departments(id),
    kind          TEXT NOT NULL,               -- hall | street | market | bank
    label         TEXT NOT NULL,               -- shown in the history: 代办 by <label>
    active        BOOLEAN NOT NULL DEFAULT TRUE,
    created_at    {{TS}} NOT NULL
);

-- An application prepared by a service point with the enterprise's signed
-- authorisation (a file in the shared store). It becomes a repair
-- application (repair_id) when the enterprise confirms it.
CREATE TABLE credit_assisted (
    id             {{ID}},
    record_id      BIGINT NOT NULL REFERENCES credit_records(id),
    entity_id      BIGINT NOT NULL REFERENCES entities(id),
    point_id       BIGINT NOT NULL REFERENCES departments(id),
    statement      TEXT NOT NULL,
    auth_file_id   BIGINT NOT NULL REFERENCES files(id),
    auth_name      TEXT NOT NULL,
    auth_type      TEXT NOT NULL,
    auth_sha256    TEXT NOT NULL,
    auth_size      BIGINT NOT NULL DEFAULT 0,
    status         TEXT NOT NULL,              -- pending | confirmed | rejected
    answer_note    TEXT NOT NULL DEFAULT '',
    repair_id      BIGINT REFERENCES credit_repairs(id),
    created_by     BIGINT,
    created_at     {{TS}} NOT NULL,
    answered_by    BIGINT,
    answered_at    {{TS}}
);
CREATE INDEX credit_assisted_entity ON credit_assisted(entity_id, status);
CREATE INDEX credit_assisted_point ON credit_assisted(point_id);

-- Review routes per record kind: whether the credit office reviews first
-- (初审) and whether the decision is taken outside the platform (the
-- deciding body of another city, the provincial 信用中国 site), with the
-- external clock in working days. A kind without a row: no first review,
-- the recording department decides.
CREATE TABLE credit_review_routes (
    kind          TEXT PRIMARY KEY,
    first_review  BOOLEAN NOT NULL DEFAULT FALSE,
    external_body TEXT NOT NULL DEFAULT '',
    external_days INTEGER NOT NULL DEFAULT 10
);
INSERT INTO credit_review_routes (kind, first_review, external_body, external_days) VALUES
 ('serious_list', TRUE, '', 10);

-- The stage an application is in: '' = the deciding department (as
-- before), first_review, external, done.
ALTER TABLE credit_repairs ADD COLUMN stage TEXT NOT NULL DEFAULT '';

-- The steps of an application's review, each with its clock.
CREATE TABLE credit_repair_steps (
    id          {{ID}},
    repair_id   BIGINT NOT NULL REFERENCES credit_repairs(id),
    stage       TEXT NOT NULL,      -- assisted | first_review | decide | external
    body        TEXT NOT NULL DEFAULT '', -- external: the body's name
    started_at  {{TS}} NOT NULL,
    due_at      {{TS}},
    warned      BOOLEAN NOT NULL DEFAULT FALSE,
    ended_at    {{TS}},
    outcome     TEXT NOT NULL DEFAULT '', -- pass | approve | reject | forward
    note        TEXT NOT NULL DEFAULT '',
    actor_id    BIGINT
);
CREATE INDEX credit_repair_steps_repair ON credit_repair_steps(repair_id, id);

-- Red and black lists (红黑榜) published by the credit office.
CREATE TABLE credit_lists (
    id           {{ID}},
    kind         TEXT NOT NULL,     -- red | black
    title        TEXT NOT NULL,
    criteria     TEXT NOT NULL,     -- the rule text published with the list
    grades       TEXT NOT NULL,     -- grades that make a candidate, e.g. 'A' or 'D'
    status       TEXT NOT NULL,     -- draft | published
    created_by   BIGINT,
    created_at   {{TS}} NOT NULL,
    published_by BIGINT,
    published_at {{TS}}
);
CREATE TABLE credit_list_entries (
    id          {{ID}},
    list_id     BIGINT NOT NULL REFERENCES credit_lists(id),
    entity_id   BIGINT NOT NULL REFERENCES entities(id),
    grade       TEXT NOT NULL,
    reason      TEXT NOT NULL,
    included    BOOLEAN NOT NULL DEFAULT TRUE,
    UNIQUE (list_id, entity_id)
);
