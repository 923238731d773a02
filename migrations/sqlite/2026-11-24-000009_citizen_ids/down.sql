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
SELECT c.province_code, c.commune_code, c.day, c.team_id, c.volunteer_id, z.citizen_ref, c.counted, c.approved
FROM citizen_rollups c JOIN citizens z ON z.id = c.citizen_id;
DROP TABLE citizen_rollups;
DROP TABLE citizens;
ALTER TABLE citizen_rollups_v3 RENAME TO citizen_rollups;
CREATE INDEX citizen_rollups_province ON citizen_rollups (province_code, citizen_ref, day);
CREATE INDEX citizen_rollups_commune ON citizen_rollups (commune_code, citizen_ref, day);
CREATE INDEX citizen_rollups_team_day ON citizen_rollups (team_id, day);
