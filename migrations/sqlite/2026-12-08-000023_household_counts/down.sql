DROP INDEX records_household_visits;
DROP TABLE household_count_days;
DROP TABLE household_counts;
