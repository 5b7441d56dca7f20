-- Account security (issue 11): sign-in throttling per account and client
-- address instead of a lock anyone could trigger, and a forced password
-- change for accounts whose password an administrator chose.

-- Failed sign-ins of one typed username from one client address. Keyed by
-- the name as typed, so an unknown name is throttled exactly like a real
-- one and the answers cannot tell them apart.
CREATE TABLE login_throttle (
    username   TEXT NOT NULL,
    client     TEXT NOT NULL,
    failures   INTEGER NOT NULL DEFAULT 0,
    wait_until {{TS}},
    updated_at {{TS}} NOT NULL,
    PRIMARY KEY (username, client)
);
CREATE INDEX login_throttle_updated ON login_throttle(updated_at);

-- Set when an administrator created the account or reset its password:
-- the next sign-in must choose a new password before anything else.
ALTER TABLE users ADD COLUMN must_change_password BOOLEAN NOT NULL DEFAULT FALSE;

-- Optional TOTP second factor (RFC 6238) for platform admins and
-- supervisors: the confirmed secret, the secret shown at enrolment until a
-- code confirms it, the last accepted time step (a code works once), and
-- single-use recovery codes (SHA-256 hashes).
ALTER TABLE users ADD COLUMN totp_secret_enc {{BLOB}};
ALTER TABLE users ADD COLUMN totp_pending_enc {{BLOB}};
ALTER TABLE users ADD COLUMN totp_last_step BIGINT NOT NULL DEFAULT 0;

CREATE TABLE totp_recovery_codes (
    user_id   BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    code_hash TEXT NOT NULL,
    used_at   {{TS}},
    PRIMARY KEY (user_id, code_hash)
);
