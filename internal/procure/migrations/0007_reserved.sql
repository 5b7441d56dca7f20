-- Reserved for the bids-through-bideval session (issue 16, session 8),
-- which may replace this file with its own 0007: migration versions run
-- 1..N without gaps, and 0008 is the lot sheets.
SELECT 1;
