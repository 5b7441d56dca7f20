-- Experts score in the platform (issue 16, session 7).
--
-- code: the bid's blind code (T01, T02, ...) drawn at random when the
-- committee draw is committed (registration closes); experts see the bids
-- by code only until the award.
ALTER TABLE procure_bids ADD COLUMN code TEXT NOT NULL DEFAULT '';

-- The project's technical scoring indicators (comprehensive scoring): their
-- maxima add up to 100 − the price weight. A project without rows scores one
-- indicator "tech" (技术及其他) worth 100 − the price weight.
CREATE TABLE procure_scoring_indicators (
    project_id  BIGINT NOT NULL REFERENCES procure_projects(id),
    no          INTEGER NOT NULL,
    code        TEXT NOT NULL,
    name_zh     TEXT NOT NULL,
    name_en     TEXT NOT NULL,
    max_points  DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (project_id, code)
);

-- A drawn member's own sheet, entered by the expert (a user with the role
-- expert linked to the draw module's pool record expert_id). Locked sheets
-- never change; sha256 is the receipt of the locked points.
CREATE TABLE procure_expert_sheets (
    project_id  BIGINT NOT NULL REFERENCES procure_projects(id),
    expert_id   BIGINT NOT NULL,
    status      TEXT NOT NULL DEFAULT 'draft',
    saved_at    {{TS}} NOT NULL,
    locked_at   {{TS}},
    sha256      TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (project_id, expert_id)
);

CREATE TABLE procure_expert_sheet_points (
    project_id  BIGINT NOT NULL REFERENCES procure_projects(id),
    expert_id   BIGINT NOT NULL,
    bid_id      BIGINT NOT NULL REFERENCES procure_bids(id),
    indicator   TEXT NOT NULL,
    points      DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (project_id, expert_id, bid_id, indicator)
);
