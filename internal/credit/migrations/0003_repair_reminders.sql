-- Repair reminders (修复提醒, issue 18 item 7): one row per record and
-- stage, so the enterprise is told exactly once that it may now apply.
-- stage: period = the minimum publicity period ended, obligations not yet
-- recorded as performed (the steps ask for proof); ready = period ended
-- and obligations recorded as performed.
CREATE TABLE credit_repair_reminders (
    id          {{ID}},
    record_id   BIGINT NOT NULL REFERENCES credit_records(id),
    stage       TEXT NOT NULL,
    scan_day    TEXT NOT NULL,                 -- YYYY-MM-DD (Asia/Shanghai) the scan sent it
    messages    INTEGER NOT NULL DEFAULT 0,    -- notifications created
    created_at  {{TS}} NOT NULL,
    UNIQUE (record_id, stage)
);
