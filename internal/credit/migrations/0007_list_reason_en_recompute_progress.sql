-- Issue 18 (session 6): the reason of a red or black list entry in English
-- too (the Chinese reason stays in `reason`), and the progress of the
-- durable recomputation of every grade (credit.recompute_all), which the
-- grade rules page shows as "recomputing (n/N)".
ALTER TABLE credit_list_entries ADD COLUMN reason_en TEXT NOT NULL DEFAULT '';

-- One row per run of credit.recompute_all: the batches of entity ids done
-- out of the total, and when the run started and finished. A run that
-- restarts (the job retried) goes on from the first batch not done.
CREATE TABLE credit_recompute_runs (
    id           {{ID}},
    rules_digest TEXT NOT NULL,
    done         BIGINT NOT NULL DEFAULT 0,
    total        BIGINT NOT NULL,
    changed      BIGINT NOT NULL DEFAULT 0,
    started_at   {{TS}} NOT NULL,
    finished_at  {{TS}}
);
