DROP INDEX citizen_rollups_citizen;
DROP INDEX daily_rollups_volunteer;
CREATE INDEX citizen_rollups_province ON citizen_rollups (province_code, citizen_id, day) INCLUDE (counted, approved);
CREATE INDEX citizen_rollups_commune ON citizen_rollups (commune_code, citizen_id, day) INCLUDE (counted, approved);
CREATE INDEX daily_rollups_volunteer_days
    ON daily_rollups (commune_code, volunteer_id, day) INCLUDE (records, records_approved);
CREATE TABLE rollup_volunteers (
    commune_code TEXT NOT NULL REFERENCES units (code),
    volunteer_id TEXT NOT NULL REFERENCES users (id),
    PRIMARY KEY (commune_code, volunteer_id)
);
INSERT INTO rollup_volunteers (commune_code, volunteer_id)
SELECT DISTINCT commune_code, volunteer_id FROM daily_rollups;
DROP TABLE distinct_spans;
