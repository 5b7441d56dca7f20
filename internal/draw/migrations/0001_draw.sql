-- requires: account 2
-- legacy: 7
--
-- Verifiable random selection (internal/draw) and double-blind evaluation
-- (internal/bideval). A draw's record is self-verifying JSON
-- (docs/draw-protocol.md); the columns beside it exist for listing and
-- for the replacement workflow.

-- Evaluation experts (评标专家). pseudonym is the stable public identifier
-- used in every published record. Lists are stored normalised ",a,b,".
CREATE TABLE draw_experts (
    id             {{ID}},
    pseudonym      TEXT NOT NULL UNIQUE,
    name           TEXT NOT NULL,
    user_id        BIGINT REFERENCES users(id),
    phone_enc      {{BLOB}},
    phone_mask     TEXT NOT NULL DEFAULT '',
    specialties    TEXT NOT NULL DEFAULT '',
    employer_uscc  TEXT NOT NULL DEFAULT '',
    employer_name  TEXT NOT NULL DEFAULT '',
    region_code    TEXT NOT NULL DEFAULT '',
    title          TEXT NOT NULL DEFAULT '',
    status         TEXT NOT NULL DEFAULT 'active', -- active | suspended | removed
    relations      TEXT NOT NULL DEFAULT '',       -- declared related credit codes
    unavailable_until TEXT NOT NULL DEFAULT '',    -- YYYY-MM-DD, '' = available
    penalised_until   TEXT NOT NULL DEFAULT '',    -- YYYY-MM-DD, '' = none
    created_at     {{TS}} NOT NULL,
    updated_at     {{TS}} NOT NULL
);
CREATE INDEX draw_experts_user ON draw_experts(user_id);

-- Other pools: intake staff (受理人员) and witnesses (见证人员).
CREATE TABLE draw_people (
    id         {{ID}},
    kind       TEXT NOT NULL,               -- staff | witness
    pseudonym  TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL,
    user_id    BIGINT REFERENCES users(id),
    status     TEXT NOT NULL DEFAULT 'active',
    created_at {{TS}} NOT NULL
);
CREATE INDEX draw_people_kind ON draw_people(kind, status);

-- Venues and rooms (评标主场/副场) and their bookings.
CREATE TABLE draw_rooms (
    id         {{ID}},
    code       TEXT NOT NULL UNIQUE,
    venue      TEXT NOT NULL,
    name       TEXT NOT NULL,
    capacity   INTEGER NOT NULL,
    status     TEXT NOT NULL DEFAULT 'active',
    created_at {{TS}} NOT NULL
);

-- Projects registered for the six randoms (六随机).
CREATE TABLE draw_projects (
    id            {{ID}},
    code          TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    kind          TEXT NOT NULL,               -- works | goods | services
    budget_yuan   BIGINT NOT NULL,
    specialties   TEXT NOT NULL,               -- technical specialty codes
    econ_specialties TEXT NOT NULL DEFAULT '',
    tenderer_uscc TEXT NOT NULL,
    bidder_usccs  TEXT NOT NULL DEFAULT '',    -- known bidders, for avoidance
    region_code   TEXT NOT NULL DEFAULT '',
    cross_region  BOOLEAN NOT NULL DEFAULT FALSE,
    opening_at    {{TS}} NOT NULL,
    committee     INTEGER NOT NULL DEFAULT 5,
    department_id BIGINT NOT NULL REFERENCES departments(id),
    created_by    BIGINT REFERENCES users(id),
    staff_id      BIGINT REFERENCES draw_people(id),
    status        TEXT NOT NULL DEFAULT 'registered', -- registered | drawing | ready | evaluating | awarded
    created_at    {{TS}} NOT NULL,
    updated_at    {{TS}} NOT NULL
);
CREATE INDEX draw_projects_opening ON draw_projects(opening_at);

-- Room bookings: one room, one project, one period. The unique index refuses
-- a double booking of the same room at the same opening time.
CREATE TABLE draw_bookings (
    id         {{ID}},
    room_id    BIGINT NOT NULL REFERENCES draw_rooms(id),
    project_id BIGINT NOT NULL REFERENCES draw_projects(id),
    role       TEXT NOT NULL,                  -- main | secondary
    starts_at  {{TS}} NOT NULL,
    ends_at    {{TS}} NOT NULL,
    draw_id    BIGINT,
    created_at {{TS}} NOT NULL
);
CREATE UNIQUE INDEX draw_bookings_room_start ON draw_bookings(room_id, starts_at);
CREATE INDEX draw_bookings_project ON draw_bookings(project_id);

-- Draws. Committed first (commitment, spec and list published, secret
-- sealed), then drawn (record filled) or failed. A redraw links its parent.
CREATE TABLE draws (
    id              {{ID}},
    purpose         TEXT NOT NULL,            -- experts | staff | witnesses | venues | seats | codes
    project_id      BIGINT REFERENCES draw_projects(id),
    parent_id       BIGINT REFERENCES draws(id),
    status          TEXT NOT NULL,            -- committed | drawn
    spec_json       TEXT NOT NULL,
    candidates_json TEXT NOT NULL,
    commitment_json TEXT NOT NULL,
    secret_enc      {{BLOB}} NOT NULL,
    record_json     TEXT NOT NULL DEFAULT '',
    witness_name    TEXT NOT NULL DEFAULT '',
    committed_at    {{TS}} NOT NULL,
    drawn_at        {{TS}},
    created_by      BIGINT REFERENCES users(id)
);
CREATE INDEX draws_project ON draws(project_id);
CREATE INDEX draws_committed ON draws(committed_at);

-- Drawn experts and the replacement workflow.
CREATE TABLE draw_assignments (
    id           {{ID}},
    draw_id      BIGINT NOT NULL REFERENCES draws(id),
    project_id   BIGINT NOT NULL REFERENCES draw_projects(id),
    expert_id    BIGINT NOT NULL REFERENCES draw_experts(id),
    group_name   TEXT NOT NULL,
    draw_order   INTEGER NOT NULL,
    reserve      BOOLEAN NOT NULL,
    status       TEXT NOT NULL,  -- standby | notified | confirmed | declined | expired | unused
    token_hash   TEXT NOT NULL DEFAULT '',
    deadline_at  {{TS}},
    responded_at {{TS}},
    replaces_id  BIGINT REFERENCES draw_assignments(id),
    room_id      BIGINT REFERENCES draw_rooms(id),
    created_at   {{TS}} NOT NULL
);
CREATE INDEX draw_assignments_project ON draw_assignments(project_id, status);
CREATE INDEX draw_assignments_token ON draw_assignments(token_hash);
CREATE INDEX draw_assignments_expert ON draw_assignments(expert_id, created_at);

-- Staff and witnesses drawn for a project.
CREATE TABLE draw_project_people (
    project_id BIGINT NOT NULL REFERENCES draw_projects(id),
    person_id  BIGINT NOT NULL REFERENCES draw_people(id),
    role       TEXT NOT NULL,                  -- staff | witness
    draw_id    BIGINT NOT NULL REFERENCES draws(id),
    PRIMARY KEY (project_id, person_id)
);
