-- Dashboard rollups (issue 17, docs/appeal.md "Dashboard"): the appeals
-- counted per local day of submission (Asia/Shanghai, YYYY-MM-DD) x type x
-- topic x lead department (0 = not assigned) x state, with the sums of the
-- figures each appeal carries once it moved: reply on time or late, the
-- handling working days, the rating, reopened. Every write of an appeal
-- (intake, transition, demo backdating) moves its contribution in the
-- same transaction; Stats reads these rows instead of grouping the whole
-- appeals table. Rows whose n fell to 0 stay and count nothing.
CREATE TABLE appeal_stats_days (
    day       TEXT NOT NULL,
    kind      TEXT NOT NULL,
    topic     TEXT NOT NULL,
    dept_id   BIGINT NOT NULL,
    state     TEXT NOT NULL,
    n         BIGINT NOT NULL DEFAULT 0,
    replied   BIGINT NOT NULL DEFAULT 0,  -- reply_on_time IS NOT NULL
    on_time   BIGINT NOT NULL DEFAULT 0,  -- reply_on_time
    wd_sum    BIGINT NOT NULL DEFAULT 0,  -- SUM(handling_workdays)
    wd_n      BIGINT NOT NULL DEFAULT 0,  -- COUNT(handling_workdays)
    rated     BIGINT NOT NULL DEFAULT 0,  -- rating <> ''
    satisfied BIGINT NOT NULL DEFAULT 0,  -- rating IN ('satisfied', 'basic')
    reopened  BIGINT NOT NULL DEFAULT 0,  -- reopen_count > 0
    PRIMARY KEY (day, kind, topic, dept_id, state)
);
CREATE INDEX appeal_stats_days_kind ON appeal_stats_days(kind, day);
CREATE INDEX appeal_stats_days_dept ON appeal_stats_days(dept_id, day);

-- The backfill of the appeals that existed before this step: the local
-- day needs each engine's own date functions, which a migration shared by
-- both cannot write, so the application fills the rollup on first use
-- (appeal.Service.ensureRollup, under a lock that holds off appeal
-- writes) and then inserts this row. No row: not built yet.
CREATE TABLE appeal_stats_built (
    id       INTEGER PRIMARY KEY,
    built_at {{TS}} NOT NULL
);

-- The figures that depend on the time now (overdue, late and open) read
-- the open appeals only: this partial index holds them with every column
-- those figures and the dashboard filters need, so they come from the
-- index without touching the closed majority.
CREATE INDEX appeals_open_stats ON appeals(submitted_at, kind, topic, lead_dept_id, state, first_response_due, reply_due, followup_due, replied_at)
    WHERE state NOT IN ('rejected', 'closed', 'merged');
