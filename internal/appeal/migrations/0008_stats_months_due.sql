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

-- The figures that change with the time (overdue, late and still open),
-- kept for the open appeals: each open appeal counts as overdue from the
-- earliest deadline of a clock that runs in its state, and as late from
-- its reply deadline while the reply clock runs without a reply. Those
-- instants change only when the appeal is written, so every write moves
-- the appeal's row here in its transaction, by the UTC day of the instant
-- (due_day) x type x topic x lead department (0 = not assigned). Stats
-- adds up the days before today and counts today's deadlines already
-- passed from the appeals themselves through the three indexes below
-- (open appeals only, a day of deadlines), instead of reading every open
-- appeal.
CREATE TABLE appeal_stats_due (
    what    TEXT NOT NULL,   -- 'overdue' or 'late'
    due_day TEXT NOT NULL,   -- YYYY-MM-DD (UTC)
    kind    TEXT NOT NULL,
    topic   TEXT NOT NULL,
    dept_id BIGINT NOT NULL,
    n       BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (what, due_day, kind, topic, dept_id)
);
CREATE INDEX appeals_open_fr_due ON appeals(first_response_due) WHERE state NOT IN ('rejected', 'closed', 'merged');
CREATE INDEX appeals_open_reply_due ON appeals(reply_due) WHERE state NOT IN ('rejected', 'closed', 'merged');
CREATE INDEX appeals_open_fu_due ON appeals(followup_due) WHERE state NOT IN ('rejected', 'closed', 'merged');

-- The new tables are filled with the others: forget that the rollup was
-- built, so that the first dashboard read (or RebuildRollup) builds all
-- of it again from the appeals.
DELETE FROM appeal_stats_built;
