-- Citizens in the rollups by a small integer instead of their 64-character reference: a
-- province's distinct citizens (~100,000 at 10 million records) are counted over 8-byte
-- keys, twice as fast, and the rollups shrink. `citizens` maps each reference to its number
-- once; the reference itself stays in `records`.
CREATE TABLE citizens (
    id          INTEGER PRIMARY KEY,
    citizen_ref TEXT NOT NULL UNIQUE
);
INSERT INTO citizens (citizen_ref)
SELECT DISTINCT citizen_ref FROM citizen_rollups ORDER BY citizen_ref;

CREATE TABLE citizen_rollups_v4 (
    province_code TEXT NOT NULL REFERENCES units (code),
    commune_code  TEXT NOT NULL REFERENCES units (code),
    day           DATE NOT NULL,
    team_id       TEXT NOT NULL REFERENCES teams (id),
    volunteer_id  TEXT NOT NULL REFERENCES users (id),
    citizen_id    BIGINT NOT NULL REFERENCES citizens (id),
    counted       INTEGER NOT NULL DEFAULT 0,
    approved      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (commune_code, citizen_id, day, team_id, volunteer_id)
) WITHOUT ROWID;
INSERT INTO citizen_rollups_v4
SELECT c.province_code, c.commune_code, c.day, c.team_id, c.volunteer_id, z.id, c.counted, c.approved
FROM citizen_rollups c JOIN citizens z ON z.citizen_ref = c.citizen_ref;
DROP TABLE citizen_rollups;
ALTER TABLE citizen_rollups_v4 RENAME TO citizen_rollups;
CREATE INDEX citizen_rollups_province ON citizen_rollups (province_code, citizen_id, day, counted, approved);
CREATE INDEX citizen_rollups_team_day ON citizen_rollups (team_id, day);
