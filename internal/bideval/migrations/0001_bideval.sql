-- requires: account 2, entity 1, draw 2
-- legacy: 8
--
-- Double-blind evaluation (internal/bideval, docs/bideval.md): bids with
-- separately uploaded technical and commercial parts, identity-leak flags,
-- virtual codes drawn by the draw engine (a sealed draw), experts' score
-- sheets, unmasking and award.


-- Evaluation settings of a project (one row per draw_projects row).
-- template_json: [{"key","name_zh","name_en","max","guidance"}...].
CREATE TABLE bideval_projects (
    project_id    BIGINT PRIMARY KEY REFERENCES draw_projects(id),
    deadline_at   {{TS}} NOT NULL,              -- bid deadline (投标截止时间)
    template_json TEXT NOT NULL,
    rule          TEXT NOT NULL DEFAULT 'mean', -- mean | trimmed_mean
    price_method  TEXT NOT NULL DEFAULT 'lowest_price',
    price_max     DOUBLE PRECISION NOT NULL,
    status        TEXT NOT NULL DEFAULT 'open', -- open | closed | scoring | unmasked | awarded
    codes_draw_id BIGINT REFERENCES draws(id),
    unmasked_at   {{TS}},
    unmasked_by   BIGINT REFERENCES users(id),
    awarded_at    {{TS}},
    awarded_by    BIGINT REFERENCES users(id),
    award_bid_id  BIGINT,
    award_note    TEXT NOT NULL DEFAULT '',
    created_by    BIGINT REFERENCES users(id),
    created_at    {{TS}} NOT NULL,
    updated_at    {{TS}} NOT NULL
);
CREATE INDEX bideval_projects_status ON bideval_projects(status);

-- Bids: one per (project, bidding entity). pseudonym is the bid's id in
-- the codes draw record; code is the virtual code ('' until drawn).
CREATE TABLE bideval_bids (
    id              {{ID}},
    project_id      BIGINT NOT NULL REFERENCES draw_projects(id),
    entity_id       BIGINT NOT NULL REFERENCES entities(id),
    uscc            TEXT NOT NULL,
    name            TEXT NOT NULL,
    pseudonym       TEXT NOT NULL UNIQUE,
    code            TEXT NOT NULL DEFAULT '',
    project_manager TEXT NOT NULL DEFAULT '',
    registered_by   BIGINT REFERENCES users(id),
    registered_at   {{TS}} NOT NULL
);
CREATE UNIQUE INDEX bideval_bids_entity ON bideval_bids(project_id, entity_id);

-- Uploaded parts. A re-upload before the deadline is a new version; the
-- old ones are kept. content_enc is the file, AES-GCM encrypted at rest.
CREATE TABLE bideval_files (
    id           {{ID}},
    bid_id       BIGINT NOT NULL REFERENCES bideval_bids(id),
    part         TEXT NOT NULL,                 -- technical | commercial
    version      INTEGER NOT NULL,
    file_name    TEXT NOT NULL,
    mime         TEXT NOT NULL,
    size         BIGINT NOT NULL,
    sha256       TEXT NOT NULL,
    content_enc  {{BLOB}} NOT NULL,
    price_fen    BIGINT,                        -- commercial: the declared price in fen (分)
    text_status  TEXT NOT NULL DEFAULT '',      -- read | unsupported | error
    text_chars   INTEGER NOT NULL DEFAULT 0,
    uploaded_by  BIGINT REFERENCES users(id),
    uploaded_at  {{TS}} NOT NULL
);
CREATE UNIQUE INDEX bideval_files_version ON bideval_files(bid_id, part, version);

-- Identity-leak flags found in a technical part, and the staff's disposition.
CREATE TABLE bideval_flags (
    id          {{ID}},
    file_id     BIGINT NOT NULL REFERENCES bideval_files(id),
    kind        TEXT NOT NULL,                  -- name | uscc | person
    term        TEXT NOT NULL,
    hits        INTEGER NOT NULL,
    disposition TEXT NOT NULL DEFAULT '',       -- '' | false_positive | confirmed
    note        TEXT NOT NULL DEFAULT '',
    reviewed_by BIGINT REFERENCES users(id),
    reviewed_at {{TS}}
);
CREATE INDEX bideval_flags_file ON bideval_flags(file_id);

-- Experts' score sheets (one per project and drawn expert) and scores.
CREATE TABLE bideval_sheets (
    id            {{ID}},
    project_id    BIGINT NOT NULL REFERENCES draw_projects(id),
    assignment_id BIGINT NOT NULL REFERENCES draw_assignments(id),
    expert_id     BIGINT NOT NULL REFERENCES draw_experts(id),
    status        TEXT NOT NULL DEFAULT 'draft', -- draft | locked
    locked_at     {{TS}},
    updated_at    {{TS}} NOT NULL
);
CREATE UNIQUE INDEX bideval_sheets_expert ON bideval_sheets(project_id, expert_id);

CREATE TABLE bideval_scores (
    sheet_id  BIGINT NOT NULL REFERENCES bideval_sheets(id),
    bid_id    BIGINT NOT NULL REFERENCES bideval_bids(id),
    criterion TEXT NOT NULL,
    points    DOUBLE PRECISION NOT NULL,
    comment   TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (sheet_id, bid_id, criterion)
);
