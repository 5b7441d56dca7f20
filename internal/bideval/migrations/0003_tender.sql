-- requires: draw 3
--
-- Tendering timing and guards (issue 11; docs/bideval.md).

-- Tender notice (the first publication of the evaluation settings) and the
-- procedure whose legal minimum (days from the notice to the deadline) applies.
ALTER TABLE bideval_projects ADD COLUMN procedure_kind TEXT NOT NULL DEFAULT 'tender';
ALTER TABLE bideval_projects ADD COLUMN notice_at {{TS}};
-- Winning candidates' publicity (中标候选人公示) with its objection window.
ALTER TABLE bideval_projects ADD COLUMN candidates_at {{TS}};
ALTER TABLE bideval_projects ADD COLUMN publicity_until {{TS}};
-- Why the evaluation stopped (status 'failed': fewer than three valid bids).
ALTER TABLE bideval_projects ADD COLUMN failed_reason TEXT NOT NULL DEFAULT '';

-- The technical part's text with the bidder's identity terms blacked out,
-- served to the experts instead of the file when the leak check found any.
ALTER TABLE bideval_files ADD COLUMN redacted_enc {{BLOB}};

-- Objections (异议) against the candidates during the publicity, and the
-- centre's answer.
CREATE TABLE bideval_objections (
    id          {{ID}},
    project_id  BIGINT NOT NULL REFERENCES draw_projects(id),
    bid_id      BIGINT NOT NULL REFERENCES bideval_bids(id),
    body        TEXT NOT NULL,
    filed_by    BIGINT REFERENCES users(id),
    filed_at    {{TS}} NOT NULL,
    answer      TEXT NOT NULL DEFAULT '',
    answered_by BIGINT REFERENCES users(id),
    answered_at {{TS}}
);
CREATE INDEX bideval_objections_project ON bideval_objections(project_id);
