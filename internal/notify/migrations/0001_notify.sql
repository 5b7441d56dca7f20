-- requires: account 2
-- legacy: 1
--
-- Notifications: templates, the outbox of every delivery, webhooks (internal/notify).
-- Tokens in {{...}} are replaced per dialect (internal/db/migrate.go): {{ID}} identity
-- primary key, {{TS}} timestamp with zone, {{BLOB}} binary.

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
