DROP INDEX records_volunteer_change;
DROP TABLE change_clock;
ALTER TABLE records DROP COLUMN change_stamp;
