ALTER TABLE commune_rollups
    DROP COLUMN training_attendees_approved,
    DROP COLUMN training_attendees,
    DROP COLUMN training_sessions_approved,
    DROP COLUMN training_sessions;
ALTER TABLE daily_rollups
    DROP COLUMN training_attendees_approved,
    DROP COLUMN training_attendees,
    DROP COLUMN training_sessions_approved,
    DROP COLUMN training_sessions;
DELETE FROM campaign_targets WHERE metric IN ('training_sessions', 'training_attendees');
ALTER TABLE campaign_targets DROP CONSTRAINT campaign_targets_metric_check,
    ADD CONSTRAINT campaign_targets_metric_check
    CHECK (metric IN ('visits', 'households_guided', 'people_guided', 'vneid_installs',
        'vneid_level2_activations', 'unique_citizens_assisted', 'signatures_submitted',
        'signatures_issued', 'active_volunteers', 'digital_skills_certified'));
ALTER TABLE records DROP CONSTRAINT records_training_session_fields,
    DROP COLUMN venue, DROP COLUMN duration_minutes, DROP COLUMN people_helped,
    DROP COLUMN attendees, DROP COLUMN audience, DROP COLUMN format,
    DROP CONSTRAINT records_kind_check,
    ADD CONSTRAINT records_kind_check CHECK (kind IN ('visit', 'vneid_assist', 'signature_registration'));
