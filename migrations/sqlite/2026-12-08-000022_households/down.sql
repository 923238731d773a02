DROP INDEX records_household_id;
ALTER TABLE records DROP COLUMN household_id;
DROP TABLE digital_family_definitions;
DROP TABLE household_exits;
DROP TABLE household_versions;
DROP TABLE households;
