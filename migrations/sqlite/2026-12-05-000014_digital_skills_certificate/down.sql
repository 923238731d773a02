DELETE FROM campaign_targets WHERE metric = 'digital_skills_certified';
ALTER TABLE commune_rollups DROP COLUMN digital_skills_certified_approved;
ALTER TABLE commune_rollups DROP COLUMN digital_skills_certified;
ALTER TABLE daily_rollups DROP COLUMN digital_skills_certified_approved;
ALTER TABLE daily_rollups DROP COLUMN digital_skills_certified;
