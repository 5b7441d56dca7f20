-- Rollup shards (issue 17, docs/benchmarks.md "Session 11: intake"): every
-- intake of a day, type and topic added to the same three rollup rows, and
-- on PostgreSQL each row stayed locked from its update to the commit, so
-- concurrent intakes waited for each other's commits in turn. Each row is
-- now split into shards (appeal id modulo the shard count: 16 on
-- PostgreSQL, 1 on SQLite, whose single writer serialises anyway), so that
-- intakes of consecutive ids update different rows; Stats adds the shards
-- up as it adds up the rows. The tables are made again and filled on the
-- first dashboard read (RebuildRollup), like migration 0008.
DROP TABLE appeal_stats_days;
CREATE TABLE appeal_stats_days (
    day       TEXT NOT NULL,
    kind      TEXT NOT NULL,
    topic     TEXT NOT NULL,
    dept_id   BIGINT NOT NULL,
    state     TEXT NOT NULL,
    shard     INTEGER NOT NULL DEFAULT 0,
    n         BIGINT NOT NULL DEFAULT 0,
    replied   BIGINT NOT NULL DEFAULT 0,  -- reply_on_time IS NOT NULL
    on_time   BIGINT NOT NULL DEFAULT 0,  -- reply_on_time
    wd_sum    BIGINT NOT NULL DEFAULT 0,  -- SUM(handling_workdays)
    wd_n      BIGINT NOT NULL DEFAULT 0,  -- COUNT(handling_workdays)
    rated     BIGINT NOT NULL DEFAULT 0,  -- rating <> ''
    satisfied BIGINT NOT NULL DEFAULT 0,  -- rating IN ('satisfied', 'basic')
    reopened  BIGINT NOT NULL DEFAULT 0,  -- reopen_count > 0
    PRIMARY KEY (day, kind, topic, dept_id, state, shard)
);
CREATE INDEX appeal_stats_days_kind ON appeal_stats_days(kind, day);
CREATE INDEX appeal_stats_days_dept ON appeal_stats_days(dept_id, day);

DROP TABLE appeal_stats_months;
CREATE TABLE appeal_stats_months (
    month     TEXT NOT NULL,
    kind      TEXT NOT NULL,
    topic     TEXT NOT NULL,
    dept_id   BIGINT NOT NULL,
    state     TEXT NOT NULL,
    shard     INTEGER NOT NULL DEFAULT 0,
    n         BIGINT NOT NULL DEFAULT 0,
    replied   BIGINT NOT NULL DEFAULT 0,
    on_time   BIGINT NOT NULL DEFAULT 0,
    wd_sum    BIGINT NOT NULL DEFAULT 0,
    wd_n      BIGINT NOT NULL DEFAULT 0,
    rated     BIGINT NOT NULL DEFAULT 0,
    satisfied BIGINT NOT NULL DEFAULT 0,
    reopened  BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (month, kind, topic, dept_id, state, shard)
);

DROP TABLE appeal_stats_due;
CREATE TABLE appeal_stats_due (
    what    TEXT NOT NULL,   -- 'overdue' or 'late'
    due_day TEXT NOT NULL,   -- YYYY-MM-DD (UTC)
    kind    TEXT NOT NULL,
    topic   TEXT NOT NULL,
    dept_id BIGINT NOT NULL,
    shard   INTEGER NOT NULL DEFAULT 0,
    n       BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (what, due_day, kind, topic, dept_id, shard)
);

DELETE FROM appeal_stats_built;
