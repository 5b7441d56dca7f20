-- Platform core: departments, accounts, market entities, calendar,
-- audit chain, notifications. Tokens in {{...}} are replaced per dialect
-- (see migrate.go): {{ID}} identity primary key, {{TS}} timestamp with zone,
-- {{BLOB}} binary.

CREATE TABLE departments (
    id          {{ID}},
    parent_id   BIGINT REFERENCES departments(id),
    code        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    name_en     TEXT NOT NULL DEFAULT '',
    kind        TEXT NOT NULL,            -- city | county | bureau | office
    region_code TEXT NOT NULL DEFAULT '',
    created_at  {{TS}} NOT NULL,
    updated_at  {{TS}} NOT NULL
);
CREATE INDEX departments_parent ON departments(parent_id);

CREATE TABLE entities (
    id              {{ID}},
    uscc            TEXT NOT NULL UNIQUE,
    name            TEXT NOT NULL,
    entity_type     TEXT NOT NULL DEFAULT '',
    legal_rep_name  TEXT NOT NULL DEFAULT '',
    legal_rep_id_enc {{BLOB}},
    legal_rep_id_mask TEXT NOT NULL DEFAULT '',
    address         TEXT NOT NULL DEFAULT '',
    region_code     TEXT NOT NULL DEFAULT '',
    industry_code   TEXT NOT NULL DEFAULT '',
    size_class      TEXT NOT NULL DEFAULT '',
    size_source     TEXT NOT NULL DEFAULT '',  -- computed | set
    employees       INTEGER,
    revenue_wan     DOUBLE PRECISION,
    assets_wan      DOUBLE PRECISION,
    founded_on      TEXT NOT NULL DEFAULT '',  -- YYYY-MM-DD
    status          TEXT NOT NULL DEFAULT 'active', -- active(存续) operating(在业) revoked(吊销) cancelled(注销)
    phone_enc       {{BLOB}},
    phone_mask      TEXT NOT NULL DEFAULT '',
    phone_hash      TEXT NOT NULL DEFAULT '',
    tags            TEXT NOT NULL DEFAULT '',  -- normalised ",tag1,tag2,"
    department_id   BIGINT REFERENCES departments(id), -- the department that manages the record
    created_at      {{TS}} NOT NULL,
    updated_at      {{TS}} NOT NULL
);
CREATE INDEX entities_region_industry ON entities(region_code, industry_code);
CREATE INDEX entities_industry ON entities(industry_code);
CREATE INDEX entities_name ON entities(name);
CREATE INDEX entities_size ON entities(size_class);

CREATE TABLE users (
    id             {{ID}},
    username       TEXT NOT NULL UNIQUE,
    display_name   TEXT NOT NULL,
    password_hash  TEXT NOT NULL DEFAULT '',
    department_id  BIGINT REFERENCES departments(id),
    entity_id      BIGINT REFERENCES entities(id),
    phone_enc      {{BLOB}},
    phone_mask     TEXT NOT NULL DEFAULT '',
    phone_hash     TEXT NOT NULL DEFAULT '',
    email          TEXT NOT NULL DEFAULT '',
    status         TEXT NOT NULL DEFAULT 'active', -- active | disabled
    failed_logins  INTEGER NOT NULL DEFAULT 0,
    locked_until   {{TS}},
    last_login_at  {{TS}},
    oidc_subject   TEXT,
    lang           TEXT NOT NULL DEFAULT 'zh-CN',
    created_at     {{TS}} NOT NULL,
    updated_at     {{TS}} NOT NULL
);
CREATE UNIQUE INDEX users_oidc ON users(oidc_subject);
CREATE INDEX users_department ON users(department_id);
CREATE INDEX users_phone ON users(phone_hash);

CREATE TABLE user_roles (
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role    TEXT NOT NULL,
    PRIMARY KEY (user_id, role)
);

CREATE TABLE sessions (
    id_hash      TEXT PRIMARY KEY,
    user_id      BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf_token   TEXT NOT NULL,
    created_at   {{TS}} NOT NULL,
    expires_at   {{TS}} NOT NULL,
    last_seen_at {{TS}} NOT NULL,
    ip           TEXT NOT NULL DEFAULT '',
    user_agent   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE api_tokens (
    id           {{ID}},
    user_id      BIGINT NOT NULL REFERENCES users(id),
    name         TEXT NOT NULL,
    prefix       TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    created_at   {{TS}} NOT NULL,
    created_by   BIGINT,
    last_used_at {{TS}},
    expires_at   {{TS}},
    revoked_at   {{TS}}
);
CREATE INDEX api_tokens_user ON api_tokens(user_id);

CREATE TABLE enterprise_bindings (
    id          {{ID}},
    user_id     BIGINT NOT NULL REFERENCES users(id),
    entity_id   BIGINT NOT NULL REFERENCES entities(id),
    status      TEXT NOT NULL,          -- pending | approved | rejected
    method      TEXT NOT NULL,          -- auto | manual
    reason      TEXT NOT NULL DEFAULT '',
    decided_by  BIGINT,
    decided_at  {{TS}},
    created_at  {{TS}} NOT NULL
);
CREATE INDEX enterprise_bindings_status ON enterprise_bindings(status);

CREATE TABLE sms_codes (
    id          {{ID}},
    phone_hash  TEXT NOT NULL,
    purpose     TEXT NOT NULL,
    code_hash   TEXT NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0,
    expires_at  {{TS}} NOT NULL,
    used_at     {{TS}},
    created_at  {{TS}} NOT NULL
);
CREATE INDEX sms_codes_phone ON sms_codes(phone_hash, purpose);

CREATE TABLE calendar_days (
    day        TEXT PRIMARY KEY,       -- YYYY-MM-DD
    kind       TEXT NOT NULL,          -- holiday | workday
    name       TEXT NOT NULL DEFAULT '',
    source     TEXT NOT NULL,          -- official | admin | import
    updated_at {{TS}} NOT NULL,
    updated_by BIGINT
);

CREATE TABLE audit_events (
    seq           BIGINT PRIMARY KEY,
    at            {{TS}} NOT NULL,
    actor_id      BIGINT,
    actor_name    TEXT NOT NULL,
    action        TEXT NOT NULL,
    object_type   TEXT NOT NULL,
    object_id     TEXT NOT NULL,
    before_digest TEXT NOT NULL,
    after_digest  TEXT NOT NULL,
    detail        TEXT NOT NULL DEFAULT '',
    prev_hash     TEXT NOT NULL,
    hash          TEXT NOT NULL
);
CREATE INDEX audit_events_object ON audit_events(object_type, object_id);
CREATE INDEX audit_events_actor ON audit_events(actor_id);

-- One row: the chain head. Updating it serialises appends across
-- concurrent transactions (a row lock on PostgreSQL, the write lock on SQLite).
CREATE TABLE audit_head (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE TABLE notification_templates (
    id         {{ID}},
    msg_type   TEXT NOT NULL,
    channel    TEXT NOT NULL,          -- inapp | sms | email | webhook
    lang       TEXT NOT NULL,          -- zh-CN | en
    subject    TEXT NOT NULL DEFAULT '',
    body       TEXT NOT NULL,
    updated_at {{TS}} NOT NULL,
    updated_by BIGINT,
    UNIQUE (msg_type, channel, lang)
);

CREATE TABLE notifications (
    id                {{ID}},
    msg_type          TEXT NOT NULL,
    channel           TEXT NOT NULL,
    user_id           BIGINT REFERENCES users(id),
    address_enc       {{BLOB}},
    address_mask      TEXT NOT NULL DEFAULT '',
    lang              TEXT NOT NULL DEFAULT 'zh-CN',
    subject           TEXT NOT NULL DEFAULT '',
    body              TEXT NOT NULL,
    data              TEXT NOT NULL DEFAULT '{}',
    status            TEXT NOT NULL,   -- queued | sent | delivered | failed
    attempts          INTEGER NOT NULL DEFAULT 0,
    last_error        TEXT NOT NULL DEFAULT '',
    object_type       TEXT NOT NULL DEFAULT '',
    object_id         TEXT NOT NULL DEFAULT '',
    resend_of         BIGINT REFERENCES notifications(id),
    created_at        {{TS}} NOT NULL,
    sent_at           {{TS}},
    delivered_at      {{TS}},
    read_at           {{TS}}
);
CREATE INDEX notifications_user ON notifications(user_id, channel, read_at);
CREATE INDEX notifications_status ON notifications(status, created_at);
CREATE INDEX notifications_type ON notifications(msg_type);

CREATE TABLE webhooks (
    id          {{ID}},
    name        TEXT NOT NULL,
    url         TEXT NOT NULL,
    secret_enc  {{BLOB}} NOT NULL,
    events      TEXT NOT NULL DEFAULT '*',   -- comma-separated message types, * for all
    active      BOOLEAN NOT NULL DEFAULT TRUE,
    created_at  {{TS}} NOT NULL,
    created_by  BIGINT
);

CREATE TABLE imports (
    id          {{ID}},
    kind        TEXT NOT NULL,
    filename    TEXT NOT NULL,
    mode        TEXT NOT NULL,            -- all_or_nothing | valid_only
    rows_total  INTEGER NOT NULL,
    rows_created INTEGER NOT NULL,
    rows_updated INTEGER NOT NULL,
    rows_bad    INTEGER NOT NULL,
    created_by  BIGINT,
    created_at  {{TS}} NOT NULL
);

CREATE TABLE settings (
    key        TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at {{TS}} NOT NULL
);
