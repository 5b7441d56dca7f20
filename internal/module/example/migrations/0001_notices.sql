-- requires: account 1
--
-- The example module's one table (see internal/module/example): notices a
-- department posts for every signed-in user, archived when they end.
CREATE TABLE example_notices (
    id            {{ID}},
    department_id BIGINT NOT NULL REFERENCES departments(id),
    title         TEXT NOT NULL,
    body          TEXT NOT NULL DEFAULT '',
    ends_on       TEXT NOT NULL,          -- YYYY-MM-DD, Asia/Shanghai
    archived      BOOLEAN NOT NULL DEFAULT FALSE,
    created_by    BIGINT,
    created_at    {{TS}} NOT NULL
);
CREATE INDEX example_notices_live ON example_notices(archived, ends_on);
