-- requires: account 1, entity 1
--
-- Verifiable benefit statements (红利账单 PDF, internal/policy
-- statement.go) and payment batches (internal/policy batch.go).
--
-- A statement row is what the public verification page shows for a code:
-- the entity, the year, how many grants and how much, and the SHA-256 of
-- the content the PDF was made from.
CREATE TABLE policy_statements (
    code        TEXT PRIMARY KEY,             -- verification code, e.g. 7KQ2-M9XD-4TBR-P3WH
    entity_id   BIGINT NOT NULL REFERENCES entities(id),
    year        INTEGER NOT NULL,
    grants      INTEGER NOT NULL,
    total_fen   BIGINT NOT NULL,
    digest      TEXT NOT NULL,
    created_by  BIGINT,
    created_at  {{TS}} NOT NULL
);
CREATE INDEX policy_statements_entity ON policy_statements(entity_id, year);

-- A payment batch gathers the approved grants of a policy and period sent
-- to the bank in one file; the bank's result file settles it: paid rows
-- become 到账, failed rows go back to the approved list (batch_id cleared)
-- with the bank's reason kept in the audit log.
CREATE TABLE policy_batches (
    id            {{ID}},
    policy_id     BIGINT NOT NULL REFERENCES policy_policies(id),
    period        TEXT NOT NULL,
    status        TEXT NOT NULL,              -- open (sent to the bank), settled (result imported)
    grants        INTEGER NOT NULL,
    total_fen     BIGINT NOT NULL,
    paid          INTEGER NOT NULL DEFAULT 0,
    failed        INTEGER NOT NULL DEFAULT 0,
    created_by    BIGINT,
    created_at    {{TS}} NOT NULL,
    settled_at    {{TS}}
);
CREATE INDEX policy_batches_policy ON policy_batches(policy_id, status);

ALTER TABLE policy_grants ADD COLUMN batch_id BIGINT REFERENCES policy_batches(id);
