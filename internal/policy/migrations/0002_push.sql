-- requires: entity 1
--
-- Targeted push (精准推送, internal/policy push.go): one row per policy
-- and entity that matched it, whether the message went out (sent) or was
-- held back by the weekly cap (held, released when the week has room),
-- and the one re-push of a push still unread after N days. Read state
-- itself is the notify package's (asked through its Go API by object
-- policy_push / id).
CREATE TABLE policy_pushes (
    id           {{ID}},
    policy_id    BIGINT NOT NULL REFERENCES policy_policies(id),
    version      INTEGER NOT NULL,              -- the policy version that matched
    entity_id    BIGINT NOT NULL REFERENCES entities(id),
    cause        TEXT NOT NULL,                 -- publish, facts
    status       TEXT NOT NULL,                 -- sent, held
    recipients   INTEGER NOT NULL DEFAULT 0,    -- enterprise users the message went to
    created_at   {{TS}} NOT NULL,
    sent_at      {{TS}},
    repushed_at  {{TS}},
    UNIQUE (policy_id, entity_id)
);
CREATE INDEX policy_pushes_entity ON policy_pushes(entity_id, sent_at);
CREATE INDEX policy_pushes_status ON policy_pushes(status, sent_at);
