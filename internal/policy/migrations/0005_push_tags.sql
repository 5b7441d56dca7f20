-- requires: entity 1
--
-- Push by tags (标签推送, internal/policy pushtags.go): a policy may name
-- registry tags (专精特新, 科技型中小企业 ...) that its push aims at, and
-- whether the push goes to entities with a tag whose rule also matches
-- (scope 'match') or to every entity with a tag, as a heads-up (scope
-- 'notice'). A policy without a row here pushes to every rule match.
CREATE TABLE policy_targets (
    policy_id   BIGINT PRIMARY KEY REFERENCES policy_policies(id),
    tags        TEXT NOT NULL DEFAULT '',      -- ,专精特新,科技型中小企业,
    scope       TEXT NOT NULL DEFAULT 'match', -- match (tags and rule), notice (tags only)
    updated_at  {{TS}} NOT NULL
);

-- Whether a push was aimed by tags, and whether the entity met the rule
-- when it was pushed (a heads-up push of scope 'notice' may not).
ALTER TABLE policy_pushes ADD COLUMN by_tags INTEGER NOT NULL DEFAULT 0;
ALTER TABLE policy_pushes ADD COLUMN rule_matched INTEGER NOT NULL DEFAULT 1;
