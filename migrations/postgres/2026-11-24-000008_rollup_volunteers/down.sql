DROP TABLE rollup_volunteers;
DROP INDEX daily_rollups_volunteer_days;
CREATE INDEX daily_rollups_volunteers ON daily_rollups (commune_code, day, volunteer_id) INCLUDE (records, records_approved);
