-- Enterprise appeals (涉企诉求): intake, dispatch, SLA clocks, alerts,
-- rating, follow-up, typical cases. See internal/appeal and docs/appeal.md.

-- One counter row per year for the human-readable numbers YS-2026-000123.
CREATE TABLE appeal_counters (
    year    INTEGER PRIMARY KEY,
    last_no BIGINT NOT NULL
);

-- Module settings (one JSON document; defaults in appeal.DefaultSettings).
CREATE TABLE appeal_settings (
    id         INTEGER PRIMARY KEY,
    body       TEXT NOT NULL,
    updated_at {{TS}} NOT NULL
);

CREATE TABLE appeals (
    id                 {{ID}},
    number             TEXT NOT NULL UNIQUE,
    year               INTEGER NOT NULL,
    entity_id          BIGINT REFERENCES entities(id),
    submitter_id       BIGINT REFERENCES users(id),   -- the enterprise user, when submitted online
    registered_by      BIGINT REFERENCES users(id),   -- intake staff, when registered on someone's behalf
    person_name        TEXT NOT NULL DEFAULT '',      -- unregistered person (not an entity)
    person_phone_enc   {{BLOB}},
    person_phone_mask  TEXT NOT NULL DEFAULT '',
    channel            TEXT NOT NULL,                 -- web | qr | phone | letter | visit | hotline12345 | open311
    kind               TEXT NOT NULL,                 -- consult | help | complaint | suggestion | praise
    topic              TEXT NOT NULL,
    region_code        TEXT NOT NULL DEFAULT '',
    title              TEXT NOT NULL,
    description        TEXT NOT NULL,
    contact_pref       TEXT NOT NULL DEFAULT 'inapp', -- inapp | phone | sms
    publishable        BOOLEAN NOT NULL DEFAULT FALSE,
    state              TEXT NOT NULL,
    version            INTEGER NOT NULL DEFAULT 1,
    lead_dept_id       BIGINT REFERENCES departments(id),
    handler_id         BIGINT REFERENCES users(id),
    merged_into        BIGINT REFERENCES appeals(id),
    reopen_count       INTEGER NOT NULL DEFAULT 0,
    supervision_level  INTEGER NOT NULL DEFAULT 0,
    extension_days     INTEGER NOT NULL DEFAULT 0,
    ext_requested_days INTEGER NOT NULL DEFAULT 0,    -- pending extension request, 0 = none
    ext_reason         TEXT NOT NULL DEFAULT '',
    reply              TEXT NOT NULL DEFAULT '',
    rating             TEXT NOT NULL DEFAULT '',      -- satisfied | basic | unsatisfied
    rating_comment     TEXT NOT NULL DEFAULT '',
    clock_start        {{TS}} NOT NULL,               -- submission, or the reopening
    submitted_at       {{TS}} NOT NULL,
    first_response_at  {{TS}},
    replied_at         {{TS}},
    rated_at           {{TS}},
    followed_up_at     {{TS}},
    closed_at          {{TS}},
    paused_since       {{TS}},
    first_response_due {{TS}},
    reply_due          {{TS}},
    followup_due       {{TS}},
    reply_on_time      BOOLEAN,
    handling_workdays  INTEGER,
    fr_alert           INTEGER NOT NULL DEFAULT 0,    -- 0 none, 1 warned, 2 overdue, 3 second level
    reply_alert        INTEGER NOT NULL DEFAULT 0,
    fu_alert           INTEGER NOT NULL DEFAULT 0,
    created_at         {{TS}} NOT NULL,
    updated_at         {{TS}} NOT NULL
);
CREATE INDEX appeals_entity ON appeals(entity_id, submitted_at);
CREATE INDEX appeals_state ON appeals(state, submitted_at);
CREATE INDEX appeals_lead ON appeals(lead_dept_id, state);
CREATE INDEX appeals_submitted ON appeals(submitted_at);
-- The SLA scan reads only appeals with alerts still to send (partial
-- indexes: both SQLite and PostgreSQL have them).
CREATE INDEX appeals_fr_due ON appeals(first_response_due) WHERE fr_alert < 3;
CREATE INDEX appeals_reply_due ON appeals(reply_due) WHERE reply_alert < 3;
CREATE INDEX appeals_fu_due ON appeals(followup_due) WHERE fu_alert < 3;

CREATE TABLE appeal_cohandlers (
    appeal_id BIGINT NOT NULL REFERENCES appeals(id),
    dept_id   BIGINT NOT NULL REFERENCES departments(id),
    note      TEXT NOT NULL DEFAULT '',
    noted_at  {{TS}},
    PRIMARY KEY (appeal_id, dept_id)
);
CREATE INDEX appeal_cohandlers_dept ON appeal_cohandlers(dept_id);

-- The timeline: one row per transition (also in the audit chain).
CREATE TABLE appeal_events (
    id         {{ID}},
    appeal_id  BIGINT NOT NULL REFERENCES appeals(id),
    action     TEXT NOT NULL,
    from_state TEXT NOT NULL,
    to_state   TEXT NOT NULL,
    actor_id   BIGINT REFERENCES users(id),
    actor_name TEXT NOT NULL DEFAULT '',
    note       TEXT NOT NULL DEFAULT '',
    public     BOOLEAN NOT NULL DEFAULT TRUE,        -- shown to the enterprise
    created_at {{TS}} NOT NULL
);
CREATE INDEX appeal_events_appeal ON appeal_events(appeal_id, id);

-- Intervals during which the clock stood still (waiting for the enterprise).
CREATE TABLE appeal_pauses (
    id         {{ID}},
    appeal_id  BIGINT NOT NULL REFERENCES appeals(id),
    started_at {{TS}} NOT NULL,
    ended_at   {{TS}}
);
CREATE INDEX appeal_pauses_appeal ON appeal_pauses(appeal_id);

-- Alerts sent by the SLA scan: each once per appeal, clock, level and deadline.
CREATE TABLE appeal_alerts (
    id         {{ID}},
    appeal_id  BIGINT NOT NULL REFERENCES appeals(id),
    clock      TEXT NOT NULL,                        -- first_response | reply | followup
    level      INTEGER NOT NULL,                     -- 1 warning, 2 overdue, 3 second level
    due_at     {{TS}} NOT NULL,
    created_at {{TS}} NOT NULL,
    UNIQUE (appeal_id, clock, level, due_at)
);
CREATE INDEX appeal_alerts_created ON appeal_alerts(created_at);

CREATE TABLE appeal_attachments (
    id          {{ID}},
    appeal_id   BIGINT NOT NULL REFERENCES appeals(id),
    name        TEXT NOT NULL,
    mime        TEXT NOT NULL,
    size        BIGINT NOT NULL,
    sha256      TEXT NOT NULL,
    uploaded_by BIGINT REFERENCES users(id),
    created_at  {{TS}} NOT NULL
);
CREATE INDEX appeal_attachments_appeal ON appeal_attachments(appeal_id);

-- Routing rules: topic and/or region prefix -> proposed lead department.
CREATE TABLE appeal_routes (
    id            {{ID}},
    topic         TEXT NOT NULL DEFAULT '',          -- '' = any topic
    region_prefix TEXT NOT NULL DEFAULT '',          -- '' = any region
    dept_id       BIGINT NOT NULL REFERENCES departments(id),
    created_at    {{TS}} NOT NULL
);

-- Published typical cases (典型案例): an anonymised summary only.
CREATE TABLE appeal_cases (
    id           {{ID}},
    appeal_id    BIGINT NOT NULL UNIQUE REFERENCES appeals(id),
    title        TEXT NOT NULL,
    topic        TEXT NOT NULL,
    kind         TEXT NOT NULL,
    summary      TEXT NOT NULL,
    published_by BIGINT REFERENCES users(id),
    published_at {{TS}} NOT NULL
);
CREATE INDEX appeal_cases_topic ON appeal_cases(topic, published_at);
