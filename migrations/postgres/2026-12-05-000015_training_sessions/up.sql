-- Training sessions (classes and support points), the fourth kind of record, with their
-- own columns and the metrics `training_sessions` and `training_attendees`.
ALTER TABLE records DROP CONSTRAINT records_kind_check,
    ADD CONSTRAINT records_kind_check
    CHECK (kind IN ('visit', 'vneid_assist', 'signature_registration', 'training_session')),
    ADD COLUMN format TEXT CHECK (format IN ('class', 'support_point', 'online')),
    ADD COLUMN audience TEXT,
    ADD COLUMN attendees INTEGER CHECK (attendees BETWEEN 1 AND 1000),
    ADD COLUMN people_helped INTEGER CHECK (people_helped >= 0 AND people_helped <= attendees),
    ADD COLUMN duration_minutes INTEGER CHECK (duration_minutes BETWEEN 10 AND 600),
    ADD COLUMN venue TEXT,
    ADD CONSTRAINT records_training_session_fields
    CHECK (kind <> 'training_session' OR (format IS NOT NULL AND audience IS NOT NULL AND attendees IS NOT NULL
        AND people_helped IS NOT NULL AND duration_minutes IS NOT NULL AND topics IS NOT NULL));
ALTER TABLE campaign_targets DROP CONSTRAINT campaign_targets_metric_check,
    ADD CONSTRAINT campaign_targets_metric_check
    CHECK (metric IN ('visits', 'households_guided', 'people_guided', 'vneid_installs',
        'vneid_level2_activations', 'unique_citizens_assisted', 'signatures_submitted',
        'signatures_issued', 'active_volunteers', 'digital_skills_certified',
        'training_sessions', 'training_attendees'));
ALTER TABLE daily_rollups
    ADD COLUMN training_sessions INTEGER NOT NULL DEFAULT 0,
    ADD COLUMN training_sessions_approved INTEGER NOT NULL DEFAULT 0,
    ADD COLUMN training_attendees INTEGER NOT NULL DEFAULT 0,
    ADD COLUMN training_attendees_approved INTEGER NOT NULL DEFAULT 0;
ALTER TABLE commune_rollups
    ADD COLUMN training_sessions INTEGER NOT NULL DEFAULT 0,
    ADD COLUMN training_sessions_approved INTEGER NOT NULL DEFAULT 0,
    ADD COLUMN training_attendees INTEGER NOT NULL DEFAULT 0,
    ADD COLUMN training_attendees_approved INTEGER NOT NULL DEFAULT 0;
