-- legacy: 8
--
-- A sealed draw (for example the virtual codes of double-blind evaluation)
-- publishes only its commitment until it is unsealed; supervisors see it
-- meanwhile.
ALTER TABLE draws ADD COLUMN sealed BOOLEAN NOT NULL DEFAULT FALSE;
