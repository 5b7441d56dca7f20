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
