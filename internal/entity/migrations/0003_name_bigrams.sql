-- Entity search at a million entities (issue 17).
--
-- entity_name_bigrams indexes every 2-character fragment of every entity
-- name, so that a 2-character name search ("科技", "商贸") reads the index
-- entries of that fragment instead of every name: the trigram indexes
-- (SQLite FTS5 trigram, PostgreSQL pg_trgm) cannot answer fragments shorter
-- than 3 characters. It is kept in step with entities by the entity service
-- in the same transaction as each write (Create, Update, Import), with the
-- same statement as the backfill below.
CREATE TABLE entity_name_bigrams (
    bigram    TEXT NOT NULL,
    entity_id BIGINT NOT NULL REFERENCES entities(id) ON DELETE CASCADE,
    PRIMARY KEY (bigram, entity_id)
);
CREATE INDEX entity_name_bigrams_entity ON entity_name_bigrams(entity_id);

WITH RECURSIVE pos(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM pos WHERE i < 1000)
INSERT INTO entity_name_bigrams (bigram, entity_id)
SELECT DISTINCT substr(e.name, pos.i, 2), e.id FROM entities e JOIN pos ON pos.i < length(e.name);

-- A filter on an industry and a region (the dashboard's usual "this city,
-- this industry section") counted through entities_industry(industry_code)
-- and read every matching row for its region. With the region, status and
-- size in it, the industry index answers such filters from the index alone.
DROP INDEX entities_industry;
CREATE INDEX entities_industry ON entities(industry_code, region_code, status, size_class);
