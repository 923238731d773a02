DROP INDEX records_volunteer_change;
ALTER TABLE records DROP COLUMN change_stamp;
