-- `records` keeps its wider table: narrowing it would refuse rows already stored.
ALTER TABLE commune_rollups DROP COLUMN training_attendees_approved;
ALTER TABLE commune_rollups DROP COLUMN training_attendees;
ALTER TABLE commune_rollups DROP COLUMN training_sessions_approved;
ALTER TABLE commune_rollups DROP COLUMN training_sessions;
ALTER TABLE daily_rollups DROP COLUMN training_attendees_approved;
ALTER TABLE daily_rollups DROP COLUMN training_attendees;
ALTER TABLE daily_rollups DROP COLUMN training_sessions_approved;
ALTER TABLE daily_rollups DROP COLUMN training_sessions;
-- campaign_targets goes back to its shape before 000014, which has no rebuild of its own.
ALTER TABLE campaign_targets RENAME TO campaign_targets_with_sessions;
CREATE TABLE campaign_targets (
    campaign_id TEXT NOT NULL REFERENCES campaigns (id),
    unit_code   TEXT NOT NULL REFERENCES units (code),
    metric      TEXT NOT NULL CHECK (metric IN ('visits', 'households_guided', 'people_guided', 'vneid_installs',
                    'vneid_level2_activations', 'unique_citizens_assisted', 'signatures_submitted',
                    'signatures_issued', 'active_volunteers')),
    target      BIGINT NOT NULL CHECK (target >= 0),
    percent     DOUBLE PRECISION CHECK (percent IS NULL OR (percent > 0 AND percent <= 100)),
    of_base     TEXT CHECK (of_base IS NULL OR of_base IN ('residents', 'adults', 'aged_15_plus', 'households')),
    PRIMARY KEY (campaign_id, unit_code, metric)
);
INSERT INTO campaign_targets (campaign_id, unit_code, metric, target, percent, of_base)
SELECT campaign_id, unit_code, metric, target, percent, of_base FROM campaign_targets_with_sessions
WHERE metric NOT IN ('digital_skills_certified', 'training_sessions', 'training_attendees');
DROP TABLE campaign_targets_with_sessions;
