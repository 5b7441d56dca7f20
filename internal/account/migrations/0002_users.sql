-- requires: entity 1
-- legacy: 1
--
-- Accounts: users, roles, sessions, API tokens, enterprise bindings, SMS codes
-- and the platform settings (internal/account).
-- Tokens in {{...}} are replaced per dialect (internal/db/migrate.go): {{ID}} identity
-- primary key, {{TS}} timestamp with zone, {{BLOB}} binary.

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

CREATE TABLE settings (
    key        TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at {{TS}} NOT NULL
);
