-- The report of a committed import (importkit.Report as JSON: counts and
-- the first row errors), kept with its imports row.
ALTER TABLE imports ADD COLUMN report TEXT;
