ALTER TABLE commune_rollups DROP COLUMN digital_skills_certified_approved,
    DROP COLUMN digital_skills_certified;
ALTER TABLE daily_rollups DROP COLUMN digital_skills_certified_approved,
    DROP COLUMN digital_skills_certified;
DELETE FROM campaign_targets WHERE metric = 'digital_skills_certified';
ALTER TABLE campaign_targets DROP CONSTRAINT campaign_targets_metric_check,
    ADD CONSTRAINT campaign_targets_metric_check
    CHECK (metric IN ('visits', 'households_guided', 'people_guided', 'vneid_installs',
        'vneid_level2_activations', 'unique_citizens_assisted', 'signatures_submitted',
        'signatures_issued', 'active_volunteers'));
ALTER TABLE records DROP CONSTRAINT records_action_check,
    ADD CONSTRAINT records_action_check
    CHECK (action IN ('install', 'register_level1', 'activate_level2'));
