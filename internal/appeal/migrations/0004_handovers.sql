-- requires: account 2
--
-- Hand-overs (issue 18 item 5, docs/appeal.md "Hand-overs"):
--   * a clue of misconduct (违纪违法线索) handed from an appeal to the
--     discipline inspection office (纪检监察), kept secret from the
--     enterprise unless the office allows it to be told;
--   * joint meetings (联席会议) that take several appeals and whose decisions
--     become tasks of an owner department with a working-day deadline.

CREATE TABLE appeal_clues (
    id             {{ID}},
    appeal_id      BIGINT NOT NULL REFERENCES appeals(id),
    office_dept_id BIGINT REFERENCES departments(id), -- the receiving office (NULL: the supervisors only)
    summary        TEXT NOT NULL,                     -- what is handed over
    handed_by      BIGINT REFERENCES users(id),
    handed_by_name TEXT NOT NULL DEFAULT '',
    handed_at      {{TS}} NOT NULL,
    disclosed      BOOLEAN NOT NULL DEFAULT FALSE,    -- the office allows the enterprise to be told
    disclosed_at   {{TS}},
    updated_at     {{TS}} NOT NULL
);
CREATE INDEX appeal_clues_appeal ON appeal_clues(appeal_id);
CREATE INDEX appeal_clues_office ON appeal_clues(office_dept_id, handed_at);

CREATE TABLE appeal_meetings (
    id         {{ID}},
    title      TEXT NOT NULL,
    held_on    TEXT NOT NULL,                 -- YYYY-MM-DD, Asia/Shanghai
    chair      TEXT NOT NULL,
    minutes    TEXT NOT NULL DEFAULT '',
    created_by BIGINT REFERENCES users(id),
    created_at {{TS}} NOT NULL
);
CREATE INDEX appeal_meetings_held ON appeal_meetings(held_on);

-- The attending departments.
CREATE TABLE appeal_meeting_depts (
    meeting_id BIGINT NOT NULL REFERENCES appeal_meetings(id),
    dept_id    BIGINT NOT NULL REFERENCES departments(id),
    PRIMARY KEY (meeting_id, dept_id)
);
CREATE INDEX appeal_meeting_depts_dept ON appeal_meeting_depts(dept_id);

-- The appeals the meeting took.
CREATE TABLE appeal_meeting_appeals (
    meeting_id BIGINT NOT NULL REFERENCES appeal_meetings(id),
    appeal_id  BIGINT NOT NULL REFERENCES appeals(id),
    PRIMARY KEY (meeting_id, appeal_id)
);
CREATE INDEX appeal_meeting_appeals_appeal ON appeal_meeting_appeals(appeal_id);

-- The decisions, each a task of its owner department.
CREATE TABLE appeal_meeting_tasks (
    id         {{ID}},
    meeting_id BIGINT NOT NULL REFERENCES appeal_meetings(id),
    decision   TEXT NOT NULL,
    dept_id    BIGINT NOT NULL REFERENCES departments(id),
    due_wd     INTEGER NOT NULL,              -- working days from the meeting date
    due        {{TS}} NOT NULL,               -- end of the due_wd-th working day after held_on
    status     TEXT NOT NULL,                 -- open | closed
    result     TEXT NOT NULL DEFAULT '',
    closed_by  BIGINT REFERENCES users(id),
    closed_at  {{TS}},
    version    INTEGER NOT NULL DEFAULT 1,
    created_at {{TS}} NOT NULL
);
CREATE INDEX appeal_meeting_tasks_meeting ON appeal_meeting_tasks(meeting_id);
CREATE INDEX appeal_meeting_tasks_dept ON appeal_meeting_tasks(dept_id, status, due);
