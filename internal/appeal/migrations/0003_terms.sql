-- requires: account 2
--
-- The seeds' remaining appeal rules (issue 18, docs/appeal.md "Commitments,
-- common issues and on-the-spot resolution"):
--   * Xinyang's 1日响应、3日反馈、限期办结: besides the response (签收) and
--     reply clocks on appeals, an interim-feedback clock and the resolution
--     date the lead department commits to when it claims the appeal;
--   * Luohe's 个性/共性: an appeal classed as an individual issue (15 working
--     days) or linked to a common issue, which gets a fix plan and a
--     30-calendar-day fix clock; the office tracks 诉求 → 整改 → 提升;
--   * on-the-spot resolution (当场解决).

-- A common issue (共性问题): many enterprises, a rule or a process at fault.
CREATE TABLE appeal_common_issues (
    id             {{ID}},
    title          TEXT NOT NULL,
    cause          TEXT NOT NULL DEFAULT '',      -- the rule or process at fault
    topic          TEXT NOT NULL,
    dept_id        BIGINT REFERENCES departments(id), -- responsible for the fix
    stage          TEXT NOT NULL,                 -- appeal | fixing | fixed | improved
    version        INTEGER NOT NULL DEFAULT 1,
    fix_plan       TEXT NOT NULL DEFAULT '',
    fix_started_at {{TS}},
    fix_due        {{TS}},                        -- end of the 30th calendar day after the plan
    fixed_at       {{TS}},
    fix_note       TEXT NOT NULL DEFAULT '',
    improvement    TEXT NOT NULL DEFAULT '',      -- 提升: the rule or process changed for everyone
    improved_at    {{TS}},
    created_by     BIGINT REFERENCES users(id),
    created_at     {{TS}} NOT NULL,
    updated_at     {{TS}} NOT NULL
);
CREATE INDEX appeal_common_issues_stage ON appeal_common_issues(stage, created_at);

-- One row per appeal that a transition has touched: its extra clocks and
-- its class. Written in the transition's transaction (terms.go).
CREATE TABLE appeal_terms (
    appeal_id       BIGINT PRIMARY KEY REFERENCES appeals(id),
    issue_class     TEXT NOT NULL DEFAULT '',     -- '' | individual | common
    common_issue_id BIGINT REFERENCES appeal_common_issues(id),
    feedback_due    {{TS}},                       -- 3日反馈: interim feedback to the enterprise
    feedback_at     {{TS}},
    resolve_by      {{TS}},                       -- 限期办结: the date the lead department committed to
    resolved_at     {{TS}},
    on_spot         BOOLEAN NOT NULL DEFAULT FALSE,
    fb_alert        INTEGER NOT NULL DEFAULT 0,   -- as appeals.fr_alert: 3 = nothing left to send
    rs_alert        INTEGER NOT NULL DEFAULT 0,
    updated_at      {{TS}} NOT NULL
);
CREATE INDEX appeal_terms_fb_due ON appeal_terms(feedback_due) WHERE fb_alert < 3;
CREATE INDEX appeal_terms_rs_due ON appeal_terms(resolve_by) WHERE rs_alert < 3;
CREATE INDEX appeal_terms_issue ON appeal_terms(common_issue_id);
