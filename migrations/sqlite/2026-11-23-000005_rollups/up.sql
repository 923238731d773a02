-- Per-day rollups of the counted metrics, kept in the same transaction as every change to a
-- record, so statistics read a few thousand rows instead of millions. `counted` follows the
-- counting rules; `approved` counts approved records only (for ?review=approved).
CREATE TABLE daily_rollups (
    day          DATE NOT NULL,
    commune_code TEXT NOT NULL REFERENCES units (code),
    team_id      TEXT NOT NULL REFERENCES teams (id),
    volunteer_id TEXT NOT NULL REFERENCES users (id),
    metric       TEXT NOT NULL,
    counted      INTEGER NOT NULL DEFAULT 0,
    approved     INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (day, commune_code, team_id, volunteer_id, metric)
);
CREATE INDEX daily_rollups_commune_day ON daily_rollups (commune_code, day);

-- Distinct citizens do not add up across days or units: keep who was helped where and when,
-- one row per citizen and day and place, so a distinct count over any period stays exact.
CREATE TABLE citizen_rollups (
    day          DATE NOT NULL,
    commune_code TEXT NOT NULL REFERENCES units (code),
    team_id      TEXT NOT NULL REFERENCES teams (id),
    volunteer_id TEXT NOT NULL REFERENCES users (id),
    citizen_ref  TEXT NOT NULL,
    counted      INTEGER NOT NULL DEFAULT 0,
    approved     INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (day, commune_code, team_id, volunteer_id, citizen_ref)
);
CREATE INDEX citizen_rollups_commune_day ON citizen_rollups (commune_code, day);
