-- Four-party mutual rating (四方互评, issue 16): after a project is awarded
-- the purchaser, the agency and the supplier rate each other on a template
-- of nodes (评价环节) and indicators (评价指标). The template is data: a
-- compact default ships with the code, a city loads its own (Xuchang's 12
-- nodes × 106 indicators) by import; the newest active template is used.

CREATE TABLE procure_rating_templates (
    id          {{ID}},
    code        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    active      BOOLEAN NOT NULL DEFAULT TRUE,
    created_by  BIGINT REFERENCES users(id),
    created_at  {{TS}} NOT NULL
);

-- One indicator: who rates (rater) whom (ratee), with its node and the
-- most points it gives.
CREATE TABLE procure_rating_indicators (
    id           {{ID}},
    template_id  BIGINT NOT NULL REFERENCES procure_rating_templates(id),
    node_no      INTEGER NOT NULL,
    node_zh      TEXT NOT NULL,
    node_en      TEXT NOT NULL DEFAULT '',
    code         TEXT NOT NULL,
    name_zh      TEXT NOT NULL,
    name_en      TEXT NOT NULL DEFAULT '',
    rater        TEXT NOT NULL,   -- purchaser | agency | supplier
    ratee        TEXT NOT NULL,
    max_points   INTEGER NOT NULL,
    UNIQUE (template_id, code)
);
CREATE INDEX procure_rating_indicators_pair ON procure_rating_indicators (template_id, rater, ratee);

-- The procurement agency (采购代理机构) of a project, named by its unit.
CREATE TABLE procure_project_agencies (
    project_id  BIGINT PRIMARY KEY REFERENCES procure_projects(id),
    entity_id   BIGINT NOT NULL REFERENCES entities(id),
    set_by      BIGINT REFERENCES users(id),
    set_at      {{TS}} NOT NULL
);

-- A rating: one party rates another on one project, once. rater_ref and
-- ratee_ref are a department id (purchaser) or an entity id (agency,
-- supplier). score is the points as a percentage of the maximum.
CREATE TABLE procure_ratings (
    id            {{ID}},
    project_id    BIGINT NOT NULL REFERENCES procure_projects(id),
    template_id   BIGINT NOT NULL REFERENCES procure_rating_templates(id),
    rater_party   TEXT NOT NULL,
    rater_ref     BIGINT NOT NULL,
    ratee_party   TEXT NOT NULL,
    ratee_ref     BIGINT NOT NULL,
    points        INTEGER NOT NULL,
    max_points    INTEGER NOT NULL,
    score         DOUBLE PRECISION NOT NULL,
    comment       TEXT NOT NULL DEFAULT '',
    rated_on      TEXT NOT NULL,
    created_by    BIGINT REFERENCES users(id),
    created_at    {{TS}} NOT NULL,
    UNIQUE (project_id, rater_party, rater_ref, ratee_party, ratee_ref)
);
CREATE INDEX procure_ratings_ratee ON procure_ratings (ratee_party, ratee_ref);

CREATE TABLE procure_rating_points (
    rating_id     BIGINT NOT NULL REFERENCES procure_ratings(id),
    indicator_id  BIGINT NOT NULL REFERENCES procure_rating_indicators(id),
    points        INTEGER NOT NULL,
    PRIMARY KEY (rating_id, indicator_id)
);
