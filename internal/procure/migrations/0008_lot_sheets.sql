-- Experts score each lot; a comment per indicator; the scoring-open
-- messages (issue 16, session 8).
--
-- The sheets, their points and the stored expert scores take the lot:
-- lot_no 0 is the project's own sheet (a project without lots), 1.. a
-- lot's. The primary keys change, so the three tables are rebuilt (no
-- other table references them); every existing row is lot 0.
CREATE TABLE procure_expert_sheets_v8 (
    project_id  BIGINT NOT NULL REFERENCES procure_projects(id),
    lot_no      INTEGER NOT NULL DEFAULT 0,
    expert_id   BIGINT NOT NULL,
    status      TEXT NOT NULL DEFAULT 'draft',
    saved_at    {{TS}} NOT NULL,
    locked_at   {{TS}},
    sha256      TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (project_id, lot_no, expert_id)
);
INSERT INTO procure_expert_sheets_v8 (project_id, lot_no, expert_id, status, saved_at, locked_at, sha256)
    SELECT project_id, 0, expert_id, status, saved_at, locked_at, sha256 FROM procure_expert_sheets;
DROP TABLE procure_expert_sheets;
ALTER TABLE procure_expert_sheets_v8 RENAME TO procure_expert_sheets;

-- comment: the expert's reason for the points (评分理由), part of the
-- locked sheet's receipt when given.
CREATE TABLE procure_expert_sheet_points_v8 (
    project_id  BIGINT NOT NULL REFERENCES procure_projects(id),
    lot_no      INTEGER NOT NULL DEFAULT 0,
    expert_id   BIGINT NOT NULL,
    bid_id      BIGINT NOT NULL REFERENCES procure_bids(id),
    indicator   TEXT NOT NULL,
    points      DOUBLE PRECISION NOT NULL,
    comment     TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (project_id, lot_no, expert_id, bid_id, indicator)
);
INSERT INTO procure_expert_sheet_points_v8 (project_id, lot_no, expert_id, bid_id, indicator, points, comment)
    SELECT project_id, 0, expert_id, bid_id, indicator, points, '' FROM procure_expert_sheet_points;
DROP TABLE procure_expert_sheet_points;
ALTER TABLE procure_expert_sheet_points_v8 RENAME TO procure_expert_sheet_points;

CREATE TABLE procure_expert_scores_v8 (
    project_id  BIGINT NOT NULL REFERENCES procure_projects(id),
    lot_no      INTEGER NOT NULL DEFAULT 0,
    bid_id      BIGINT NOT NULL REFERENCES procure_bids(id),
    expert_id   BIGINT NOT NULL,
    points      DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (lot_no, bid_id, expert_id)
);
INSERT INTO procure_expert_scores_v8 (project_id, lot_no, bid_id, expert_id, points)
    SELECT project_id, 0, bid_id, expert_id, points FROM procure_expert_scores;
DROP TABLE procure_expert_scores;
ALTER TABLE procure_expert_scores_v8 RENAME TO procure_expert_scores;
CREATE INDEX procure_expert_scores_project ON procure_expert_scores (project_id);

-- The committee experts told that a project's scoring is open (one message
-- each, whatever the number of draws).
CREATE TABLE procure_scoring_notices (
    project_id  BIGINT NOT NULL REFERENCES procure_projects(id),
    expert_id   BIGINT NOT NULL,
    sent_at     {{TS}} NOT NULL,
    PRIMARY KEY (project_id, expert_id)
);
