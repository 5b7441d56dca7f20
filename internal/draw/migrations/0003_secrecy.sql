-- Tendering secrecy (issue 11; docs/draw-protocol.md): per-project expert
-- pseudonyms and the bidder list committed by a salted hash, disclosed after
-- the bid opening.
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

