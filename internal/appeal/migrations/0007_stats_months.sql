-- The dashboard rollup per month (issue 17, docs/benchmarks.md "Dashboard
-- from a rollup"): the rows of appeal_stats_days added up per local month
-- of submission (YYYY-MM). Every write of an appeal moves its contribution
-- in both tables in the same transaction; Stats reads the whole months of
-- a period here (a few hundred rows a year instead of some fifteen
-- thousand) and only the days of its partial first and last months from
-- appeal_stats_days.
CREATE TABLE appeal_stats_months (
    month     TEXT NOT NULL,
    kind      TEXT NOT NULL,
    topic     TEXT NOT NULL,
    dept_id   BIGINT NOT NULL,
    state     TEXT NOT NULL,
    n         BIGINT NOT NULL DEFAULT 0,
    replied   BIGINT NOT NULL DEFAULT 0,
    on_time   BIGINT NOT NULL DEFAULT 0,
    wd_sum    BIGINT NOT NULL DEFAULT 0,
    wd_n      BIGINT NOT NULL DEFAULT 0,
    rated     BIGINT NOT NULL DEFAULT 0,
    satisfied BIGINT NOT NULL DEFAULT 0,
    reopened  BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (month, kind, topic, dept_id, state)
);

-- A database whose day rollup is already built gets its months from it
-- (when it is not built yet, the first dashboard read builds both).
INSERT INTO appeal_stats_months (month, kind, topic, dept_id, state, n, replied, on_time, wd_sum, wd_n, rated, satisfied, reopened)
SELECT substr(day, 1, 7), kind, topic, dept_id, state, SUM(n), SUM(replied), SUM(on_time), SUM(wd_sum), SUM(wd_n), SUM(rated), SUM(satisfied), SUM(reopened)
FROM appeal_stats_days GROUP BY substr(day, 1, 7), kind, topic, dept_id, state;
