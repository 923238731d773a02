-- `records` keeps its wider table: narrowing it would refuse rows already stored.
ALTER TABLE commune_rollups DROP COLUMN training_attendees_approved;
ALTER TABLE commune_rollups DROP COLUMN training_attendees;
ALTER TABLE commune_rollups DROP COLUMN training_sessions_approved;
ALTER TABLE commune_rollups DROP COLUMN training_sessions;
ALTER TABLE daily_rollups DROP COLUMN training_attendees_approved;
ALTER TABLE daily_rollups DROP COLUMN training_attendees;
ALTER TABLE daily_rollups DROP COLUMN training_sessions_approved;
ALTER TABLE daily_rollups DROP COLUMN training_sessions;
DELETE FROM campaign_targets WHERE metric IN ('training_sessions', 'training_attendees');
