-- requires: account 1
--
-- Other deadlines than licences (issue 18 item 15, the tax office's
-- 许税闹钟): a catalogue item has a kind. Besides licences, a department
-- imports any dated obligation (annual report, credit-rating renewal,
-- inspection rectification, tax items) as rows of a reminder type of that
-- kind; the daily scan runs the same stages on them, with the type's own
-- Chinese and English templates.
ALTER TABLE license_types ADD COLUMN kind TEXT NOT NULL DEFAULT 'licence';
ALTER TABLE license_types ADD COLUMN sms_template_en TEXT NOT NULL DEFAULT '';
ALTER TABLE license_types ADD COLUMN inapp_template_en TEXT NOT NULL DEFAULT '';
