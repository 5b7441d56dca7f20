-- Tendering secrecy and timing (issue 11, items 1-5; docs/bideval.md, docs/draw-protocol.md).

-- Per-project expert pseudonyms: alias_salt (hex, secret to the centre) keys
-- the aliases under which a project's experts appear in its draw records and
-- pages; its SHA-256 is in the expert draw's specification. Projects created
-- before this migration keep the pool's stable pseudonyms (empty salt).
ALTER TABLE draw_projects ADD COLUMN alias_salt TEXT NOT NULL DEFAULT '';
-- The alias of the drawn expert on this project ('' = the stable pseudonym).
ALTER TABLE draw_assignments ADD COLUMN alias TEXT NOT NULL DEFAULT '';
-- Avoidance inputs committed by a salted hash in the spec and disclosed
-- after the bid opening: {"salt": hex, "bidders": [credit codes]}.
ALTER TABLE draws ADD COLUMN disclosure_json TEXT NOT NULL DEFAULT '';

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
