-- The VNeID assist action `digital_skills_certificate` and its metric
-- `digital_skills_certified`, with a column pair in each wide rollup table.
ALTER TABLE records DROP CONSTRAINT records_action_check,
    ADD CONSTRAINT records_action_check
    CHECK (action IN ('install', 'register_level1', 'activate_level2', 'digital_skills_certificate'));
ALTER TABLE campaign_targets DROP CONSTRAINT campaign_targets_metric_check,
    ADD CONSTRAINT campaign_targets_metric_check
    CHECK (metric IN ('visits', 'households_guided', 'people_guided', 'vneid_installs',
        'vneid_level2_activations', 'unique_citizens_assisted', 'signatures_submitted',
        'signatures_issued', 'active_volunteers', 'digital_skills_certified'));
ALTER TABLE daily_rollups
    ADD COLUMN digital_skills_certified INTEGER NOT NULL DEFAULT 0,
    ADD COLUMN digital_skills_certified_approved INTEGER NOT NULL DEFAULT 0;
ALTER TABLE commune_rollups
    ADD COLUMN digital_skills_certified INTEGER NOT NULL DEFAULT 0,
    ADD COLUMN digital_skills_certified_approved INTEGER NOT NULL DEFAULT 0;
