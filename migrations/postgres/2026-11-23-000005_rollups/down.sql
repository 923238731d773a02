DROP TABLE citizen_rollups;
DROP TABLE daily_rollups;
