-- Lots (标段/包, issue 16, session 6): a supplier's registration
-- (procure_bids: credit check, SME declaration) bids on one or more lots,
-- each with its own price and scores; each lot is evaluated and awarded on
-- its own, with a contract per lot and winner. A project without lots
-- keeps its price and scores on procure_bids.
CREATE TABLE procure_bid_lots (
    bid_id         BIGINT NOT NULL REFERENCES procure_bids(id),
    project_id     BIGINT NOT NULL REFERENCES procure_projects(id),
    lot_no         INTEGER NOT NULL,
    price_fen      BIGINT NOT NULL,
    tech_score     DOUBLE PRECISION NOT NULL DEFAULT 0,
    deduction_pct  INTEGER NOT NULL DEFAULT 0,
    evaluated_fen  BIGINT NOT NULL DEFAULT 0,
    price_score    DOUBLE PRECISION NOT NULL DEFAULT 0,
    total_score    DOUBLE PRECISION NOT NULL DEFAULT 0,
    rank           INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (bid_id, lot_no)
);
CREATE INDEX procure_bid_lots_project ON procure_bid_lots (project_id, lot_no);

-- The award of each lot (one row per lot once awarded).
CREATE TABLE procure_lot_awards (
    project_id  BIGINT NOT NULL REFERENCES procure_projects(id),
    lot_no      INTEGER NOT NULL,
    bid_id      BIGINT NOT NULL REFERENCES procure_bids(id),
    award_fen   BIGINT NOT NULL,
    award_on    TEXT NOT NULL,
    PRIMARY KEY (project_id, lot_no)
);

-- The lot of a contract (0: a project without lots).
ALTER TABLE procure_contracts ADD COLUMN lot_no INTEGER NOT NULL DEFAULT 0;
