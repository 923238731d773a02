-- The VNeID assist action `digital_skills_certificate` and its metric
-- `digital_skills_certified`: a column pair in each wide rollup table. The CHECKs of
-- `records.action` and `campaign_targets.metric` widen in 000015, which rebuilds both tables
-- once for this migration and its own (SQLite cannot change a CHECK in place).
ALTER TABLE daily_rollups ADD COLUMN digital_skills_certified INTEGER NOT NULL DEFAULT 0;
ALTER TABLE daily_rollups ADD COLUMN digital_skills_certified_approved INTEGER NOT NULL DEFAULT 0;
ALTER TABLE commune_rollups ADD COLUMN digital_skills_certified INTEGER NOT NULL DEFAULT 0;
ALTER TABLE commune_rollups ADD COLUMN digital_skills_certified_approved INTEGER NOT NULL DEFAULT 0;
