-- Bids through bideval's double-blind flow (issue 16, session 8).
--
-- blind: the project's bids go through module bideval (公开招标 or 竞争性磋商
-- with comprehensive scoring, no lots, not pooled): at the tender notice
-- procure registers the draw module's project (draw_project_id) and
-- bideval's settings through their Go APIs; suppliers upload their
-- technical part and price there; bideval draws the codes and the experts
-- score by code; after the unmasking procure takes the technical scores by
-- credit code and applies its own price score with the SME deduction.
ALTER TABLE procure_projects ADD COLUMN blind BOOLEAN NOT NULL DEFAULT FALSE;

-- blind_code: the bid's virtual code in bideval, copied at procure's
-- evaluation (after the unmasking; empty before and on other projects).
ALTER TABLE procure_bids ADD COLUMN blind_code TEXT NOT NULL DEFAULT '';
