-- Back to one row per metric; the rollups are rebuilt by `gocua rebuild-rollups`.
DROP TABLE commune_rollups;
DROP TABLE daily_rollups;
DROP TABLE citizen_rollups;
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
