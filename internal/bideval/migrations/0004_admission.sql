-- Bidders admitted by another module (issue 16, session 8).
--
-- admitted_by: the module that admits the project's bidders after its own
-- checks (procure: the SME declaration and the credit check of scene
-- procurement) and registers them here; a direct registration is then
-- refused. Empty: anyone registers here (the trading centre's projects).
ALTER TABLE bideval_projects ADD COLUMN admitted_by TEXT NOT NULL DEFAULT '';
