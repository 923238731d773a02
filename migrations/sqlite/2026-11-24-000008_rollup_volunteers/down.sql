DROP TABLE rollup_volunteers;
DROP INDEX daily_rollups_volunteer_days;
CREATE INDEX daily_rollups_volunteers ON daily_rollups (commune_code, day, volunteer_id, records, records_approved);
CREATE INDEX citizen_rollups_commune ON citizen_rollups (commune_code, citizen_ref, day, counted, approved);
