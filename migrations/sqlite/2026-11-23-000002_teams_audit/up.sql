-- Teams of a commune, their members, and the append-only audit log.
CREATE TABLE teams (
    id           TEXT PRIMARY KEY NOT NULL,
    commune_code TEXT NOT NULL REFERENCES units (code),
    name         TEXT NOT NULL,
    area         TEXT,
    active       INTEGER NOT NULL DEFAULT 1,
    created_by   TEXT REFERENCES users (id),
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL,
    UNIQUE (commune_code, name)
);
CREATE INDEX teams_created_at ON teams (created_at, id);

CREATE TABLE team_members (
    team_id  TEXT NOT NULL REFERENCES teams (id),
    user_id  TEXT NOT NULL REFERENCES users (id),
    role     TEXT NOT NULL CHECK (role IN ('lead', 'member')),
    added_by TEXT REFERENCES users (id),
    added_at TIMESTAMP NOT NULL,
    PRIMARY KEY (team_id, user_id)
);
CREATE INDEX team_members_user ON team_members (user_id);

CREATE TABLE audit_log (
    id          TEXT PRIMARY KEY NOT NULL,
    at          TIMESTAMP NOT NULL,
    actor_id    TEXT,
    action      TEXT NOT NULL,
    object_kind TEXT NOT NULL,
    object_id   TEXT NOT NULL,
    unit_code   TEXT,
    summary     TEXT NOT NULL
);
CREATE INDEX audit_log_unit_at ON audit_log (unit_code, at);
CREATE INDEX audit_log_actor_at ON audit_log (actor_id, at);
