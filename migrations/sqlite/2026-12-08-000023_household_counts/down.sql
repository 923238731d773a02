DROP TABLE household_count_days;
DROP TABLE household_counts;
