-- Administrative units, users and login sessions: the foundation every other table points at.
-- Booleans are INTEGER 0/1 and ids TEXT on both backends (diesel's MultiConnection has no Bool/Uuid).
CREATE TABLE units (
    code          TEXT PRIMARY KEY NOT NULL,
    name          TEXT NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('tinh', 'thanh-pho', 'xa', 'phuong', 'dac-khu')),
    parent_code   TEXT REFERENCES units (code),
    official_name TEXT NOT NULL,
    search_text   TEXT NOT NULL,
    active        INTEGER NOT NULL DEFAULT 1,
    updated_at    TIMESTAMP NOT NULL
);
CREATE INDEX units_parent_code ON units (parent_code, code);
CREATE INDEX units_kind ON units (kind, code);

CREATE TABLE users (
    id               TEXT PRIMARY KEY NOT NULL,
    phone            TEXT NOT NULL UNIQUE,
    full_name        TEXT NOT NULL,
    role             TEXT NOT NULL CHECK (role IN ('admin', 'province_supervisor', 'commune_supervisor', 'volunteer')),
    unit_code        TEXT REFERENCES units (code),
    search_text      TEXT NOT NULL,
    password_hash    TEXT NOT NULL,
    active           INTEGER NOT NULL DEFAULT 1,
    token_generation INTEGER NOT NULL DEFAULT 0,
    created_by       TEXT REFERENCES users (id),
    created_at       TIMESTAMP NOT NULL,
    updated_at       TIMESTAMP NOT NULL
);
CREATE INDEX users_unit_code ON users (unit_code, created_at);
CREATE INDEX users_created_at ON users (created_at, id);

CREATE TABLE refresh_tokens (
    id               TEXT PRIMARY KEY NOT NULL,
    family_id        TEXT NOT NULL,
    user_id          TEXT NOT NULL REFERENCES users (id),
    token_hash       TEXT NOT NULL UNIQUE,
    token_generation INTEGER NOT NULL,
    created_at       TIMESTAMP NOT NULL,
    expires_at       TIMESTAMP NOT NULL,
    used_at          TIMESTAMP,
    revoked_at       TIMESTAMP
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_user ON refresh_tokens (user_id);
