-- Distinct volunteers without scanning every day of every row: `rollup_volunteers` lists
-- who ever has numbers in a commune (a few per team), so "active in the period" is one
-- index probe per volunteer instead of a scan of their days. (SQLite also reorders its
-- citizen table; PostgreSQL already reads citizens per commune through
-- `citizen_rollups_commune`.)
CREATE TABLE rollup_volunteers (
    commune_code TEXT NOT NULL REFERENCES units (code),
    volunteer_id TEXT NOT NULL REFERENCES users (id),
    PRIMARY KEY (commune_code, volunteer_id)
);
INSERT INTO rollup_volunteers (commune_code, volunteer_id)
SELECT DISTINCT commune_code, volunteer_id FROM daily_rollups;
DROP INDEX daily_rollups_volunteers;
CREATE INDEX daily_rollups_volunteer_days
    ON daily_rollups (commune_code, volunteer_id, day) INCLUDE (records, records_approved);
