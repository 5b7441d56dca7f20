-- Evaluation through the draw module (issue 16, session 6).
--
-- A project's evaluation committee is drawn by module draw: the project
-- keeps the id of the draw module's project (no foreign key: the table is
-- draw's). Members are read through draw's Go API; their names stay secret
-- until the award.
ALTER TABLE procure_projects ADD COLUMN draw_project_id BIGINT;

-- Each drawn expert's technical points per bid: the committee's sheets, averaged into the bid's technical
-- score and published with the expert's name after the award. expert_id is
-- the draw module's pool id.
CREATE TABLE procure_expert_scores (
    project_id  BIGINT NOT NULL REFERENCES procure_projects(id),
    bid_id      BIGINT NOT NULL REFERENCES procure_bids(id),
    expert_id   BIGINT NOT NULL,
    points      DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (bid_id, expert_id)
);
CREATE INDEX procure_expert_scores_project ON procure_expert_scores (project_id);
