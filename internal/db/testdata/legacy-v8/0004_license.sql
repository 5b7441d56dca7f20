-- Licence expiry reminders (证照到期提醒, "许证闹钟"): the departments'
-- reminder catalogues, the licences from their ledgers, one row per
-- licence and reminder stage (so each stage happens exactly once), the
-- follow-up lists with their call/visit records, and catalogue reviews.

CREATE TABLE license_types (
    id               {{ID}},
    department_id    BIGINT NOT NULL REFERENCES departments(id),
    code             TEXT NOT NULL,
    name             TEXT NOT NULL,
    legal_basis      TEXT NOT NULL DEFAULT '',
    validity_months  INTEGER NOT NULL DEFAULT 0,   -- legal validity; 0 = not fixed
    channels_online  TEXT NOT NULL DEFAULT '',
    channels_offline TEXT NOT NULL DEFAULT '',
    materials        TEXT NOT NULL DEFAULT '',
    fees             TEXT NOT NULL DEFAULT '',
    phone            TEXT NOT NULL DEFAULT '',
    address          TEXT NOT NULL DEFAULT '',
    service_url      TEXT NOT NULL DEFAULT '',
    sms_template     TEXT NOT NULL,
    inapp_template   TEXT NOT NULL,
    remind1_days     INTEGER NOT NULL DEFAULT 30,
    remind2_days     INTEGER NOT NULL DEFAULT 7,
    followup_days    INTEGER NOT NULL DEFAULT 3,
    lapse_days       INTEGER NOT NULL DEFAULT 0,
    send_time        TEXT NOT NULL DEFAULT '09:00', -- HH:MM Asia/Shanghai
    active           BOOLEAN NOT NULL DEFAULT TRUE,
    last_review_on   TEXT NOT NULL DEFAULT '',      -- YYYY-MM-DD
    review_reminded  TEXT NOT NULL DEFAULT '',      -- quarter (2026Q4) whose review reminder went out
    created_at       {{TS}} NOT NULL,
    updated_at       {{TS}} NOT NULL,
    UNIQUE (department_id, code)
);

CREATE TABLE licenses (
    id              {{ID}},
    type_id         BIGINT NOT NULL REFERENCES license_types(id),
    department_id   BIGINT NOT NULL REFERENCES departments(id),
    number          TEXT NOT NULL,
    entity_id       BIGINT REFERENCES entities(id),
    holder_name     TEXT NOT NULL,
    holder_id_enc   {{BLOB}},
    holder_id_mask  TEXT NOT NULL DEFAULT '',
    holder_id_hash  TEXT NOT NULL DEFAULT '',
    phone_enc       {{BLOB}},
    phone_mask      TEXT NOT NULL DEFAULT '',
    issued_on       TEXT NOT NULL,                -- YYYY-MM-DD
    expires_on      TEXT NOT NULL,                -- YYYY-MM-DD, last valid day
    status          TEXT NOT NULL DEFAULT 'active', -- active | renewed | revoked | cancelled | lapsed
    elderly         BOOLEAN NOT NULL DEFAULT FALSE,
    disabled        BOOLEAN NOT NULL DEFAULT FALSE,
    renewed_by_id   BIGINT REFERENCES licenses(id),
    renewed_on      TEXT NOT NULL DEFAULT '',
    renewal_source  TEXT NOT NULL DEFAULT '',     -- department | import | holder
    holder_answer   TEXT NOT NULL DEFAULT '',     -- renewed | renewing | closing
    answered_at     {{TS}},
    created_at      {{TS}} NOT NULL,
    updated_at      {{TS}} NOT NULL,
    UNIQUE (type_id, number)
);
CREATE INDEX licenses_scan ON licenses(status, expires_on);
CREATE INDEX licenses_department ON licenses(department_id, status);
CREATE INDEX licenses_entity ON licenses(entity_id);
CREATE INDEX licenses_holder ON licenses(type_id, holder_id_hash);

CREATE TABLE license_reminders (
    id          {{ID}},
    license_id  BIGINT NOT NULL REFERENCES licenses(id),
    stage       TEXT NOT NULL,                    -- remind_30 | remind_7 | followup | lapsed
    scan_day    TEXT NOT NULL,                    -- YYYY-MM-DD the scan acted
    messages    INTEGER NOT NULL DEFAULT 0,       -- notifications created
    created_at  {{TS}} NOT NULL,
    UNIQUE (license_id, stage)
);

CREATE TABLE license_followups (
    id            {{ID}},
    license_id    BIGINT NOT NULL UNIQUE REFERENCES licenses(id),
    department_id BIGINT NOT NULL REFERENCES departments(id),
    listed_on     TEXT NOT NULL,                  -- working day it was listed
    status        TEXT NOT NULL DEFAULT 'open',   -- open | closed
    closed_at     {{TS}},
    created_at    {{TS}} NOT NULL
);
CREATE INDEX license_followups_dept ON license_followups(department_id, status);

CREATE TABLE license_contacts (
    id          {{ID}},
    license_id  BIGINT NOT NULL REFERENCES licenses(id),
    method      TEXT NOT NULL,                    -- call | visit
    outcome     TEXT NOT NULL,                    -- reached | renewing | renewed | closing | unreachable
    note        TEXT NOT NULL DEFAULT '',
    by_id       BIGINT,
    by_name     TEXT NOT NULL DEFAULT '',
    at          {{TS}} NOT NULL
);
CREATE INDEX license_contacts_license ON license_contacts(license_id);

CREATE TABLE license_reviews (
    id            {{ID}},
    department_id BIGINT NOT NULL REFERENCES departments(id),
    quarter       TEXT NOT NULL,                  -- 2026Q4
    reviewed_on   TEXT NOT NULL,
    note          TEXT NOT NULL DEFAULT '',
    by_id         BIGINT,
    by_name       TEXT NOT NULL DEFAULT '',
    created_at    {{TS}} NOT NULL,
    UNIQUE (department_id, quarter)
);

CREATE INDEX license_notifications_object ON notifications(object_type, object_id);
