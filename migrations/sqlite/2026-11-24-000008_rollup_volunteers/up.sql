-- Distinct volunteers and citizens without scanning every day of every row:
-- `rollup_volunteers` lists who ever has numbers in a commune (a few per team), so
-- "active in the period" is one index probe per volunteer instead of a scan of their days;
-- citizen rows are kept in citizen order within a commune, so distinct citizens per
-- commune are counted in one ordered pass.
CREATE TABLE rollup_volunteers (
    commune_code TEXT NOT NULL REFERENCES units (code),
    volunteer_id TEXT NOT NULL REFERENCES users (id),
    PRIMARY KEY (commune_code, volunteer_id)
) WITHOUT ROWID;
INSERT INTO rollup_volunteers (commune_code, volunteer_id)
SELECT DISTINCT commune_code, volunteer_id FROM daily_rollups;
DROP INDEX daily_rollups_volunteers;
CREATE INDEX daily_rollups_volunteer_days
    ON daily_rollups (commune_code, volunteer_id, day, records, records_approved);

CREATE TABLE citizen_rollups_v3 (
    province_code TEXT NOT NULL REFERENCES units (code),
    commune_code  TEXT NOT NULL REFERENCES units (code),
    day           DATE NOT NULL,
    team_id       TEXT NOT NULL REFERENCES teams (id),
    volunteer_id  TEXT NOT NULL REFERENCES users (id),
    citizen_ref   TEXT NOT NULL,
    counted       INTEGER NOT NULL DEFAULT 0,
    approved      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (commune_code, citizen_ref, day, team_id, volunteer_id)
) WITHOUT ROWID;
INSERT INTO citizen_rollups_v3
SELECT province_code, commune_code, day, team_id, volunteer_id, citizen_ref, counted, approved
FROM citizen_rollups;
DROP TABLE citizen_rollups;
ALTER TABLE citizen_rollups_v3 RENAME TO citizen_rollups;
CREATE INDEX citizen_rollups_province ON citizen_rollups (province_code, citizen_ref, day, counted, approved);
CREATE INDEX citizen_rollups_team_day ON citizen_rollups (team_id, day);
