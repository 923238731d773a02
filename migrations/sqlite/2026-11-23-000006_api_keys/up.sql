-- Read-only dashboard keys for a unit; only a SHA-256 digest of each key is stored.
CREATE TABLE api_keys (
    id           TEXT PRIMARY KEY NOT NULL,
    name         TEXT NOT NULL,
    unit_code    TEXT NOT NULL REFERENCES units (code),
    key_hash     TEXT NOT NULL UNIQUE,
    created_by   TEXT REFERENCES users (id),
    created_at   TIMESTAMP NOT NULL,
    last_used_at TIMESTAMP,
    revoked_at   TIMESTAMP
);
CREATE INDEX api_keys_unit ON api_keys (unit_code, created_at);
