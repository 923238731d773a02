-- Training sessions (classes and support points), the fourth kind of record, with their
-- own columns and the metrics `training_sessions` and `training_attendees`; and the wider
-- CHECKs of 000014 (the certificate action and metric). SQLite cannot change a CHECK in
-- place, so `records` and `campaign_targets` are rebuilt, once for both: the old table is
-- renamed first (which also renames its self-references), so the copy is checked against
-- the new table and foreign keys stay on.
ALTER TABLE records RENAME TO records_before_sessions;
CREATE TABLE records (
    id             TEXT PRIMARY KEY NOT NULL,
    kind           TEXT NOT NULL CHECK (kind IN ('visit', 'vneid_assist', 'signature_registration', 'training_session')),
    team_id        TEXT NOT NULL REFERENCES teams (id),
    volunteer_id   TEXT NOT NULL REFERENCES users (id),
    commune_code   TEXT NOT NULL REFERENCES units (code),
    occurred_at    TIMESTAMP NOT NULL,
    occurred_on    DATE NOT NULL,
    lat            DOUBLE PRECISION,
    lon            DOUBLE PRECISION,
    accuracy_m     DOUBLE PRECISION,
    hamlet         TEXT,
    note           TEXT,
    household_ref  TEXT,
    outcome        TEXT CHECK (outcome IN ('guided', 'not_home', 'declined', 'follow_up')),
    people_guided  INTEGER,
    topics         TEXT,
    visit_id       TEXT REFERENCES records (id),
    citizen_ref    TEXT,
    birth_year     INTEGER,
    sex            TEXT CHECK (sex IN ('female', 'male')),
    action         TEXT CHECK (action IN ('install', 'register_level1', 'activate_level2', 'digital_skills_certificate')),
    result         TEXT CHECK (result IN ('success', 'pending', 'failed')),
    failure_reason TEXT CHECK (failure_reason IN ('no_smartphone', 'no_chip_id_card', 'face_match_failed', 'network', 'other')),
    provider       TEXT,
    status         TEXT CHECK (status IN ('submitted', 'issued', 'failed')),
    content_hash   TEXT NOT NULL,
    received_at    TIMESTAMP NOT NULL,
    updated_at     TIMESTAMP NOT NULL,
    review_status  TEXT NOT NULL DEFAULT 'pending' CHECK (review_status IN ('pending', 'approved', 'flagged', 'rejected')),
    reviewed_by    TEXT REFERENCES users (id),
    reviewed_at    TIMESTAMP,
    review_note    TEXT,
    duplicate_of   TEXT REFERENCES records (id),
    voided         INTEGER NOT NULL DEFAULT 0,
    void_reason    TEXT,
    voided_by      TEXT REFERENCES users (id),
    voided_at      TIMESTAMP,
    change_stamp   BIGINT,
    format         TEXT CHECK (format IN ('class', 'support_point', 'online')),
    audience       TEXT,
    attendees      INTEGER CHECK (attendees BETWEEN 1 AND 1000),
    people_helped  INTEGER CHECK (people_helped >= 0 AND people_helped <= attendees),
    duration_minutes INTEGER CHECK (duration_minutes BETWEEN 10 AND 600),
    venue          TEXT,
    CHECK (kind <> 'visit' OR (outcome IS NOT NULL AND people_guided IS NOT NULL AND topics IS NOT NULL)),
    CHECK (kind <> 'vneid_assist' OR (citizen_ref IS NOT NULL AND birth_year IS NOT NULL AND action IS NOT NULL AND result IS NOT NULL)),
    CHECK (kind <> 'signature_registration' OR (citizen_ref IS NOT NULL AND birth_year IS NOT NULL AND provider IS NOT NULL AND status IS NOT NULL)),
    CHECK (kind <> 'training_session' OR (format IS NOT NULL AND audience IS NOT NULL AND attendees IS NOT NULL
        AND people_helped IS NOT NULL AND duration_minutes IS NOT NULL AND topics IS NOT NULL))
);
INSERT INTO records (id, kind, team_id, volunteer_id, commune_code, occurred_at, occurred_on, lat, lon,
    accuracy_m, hamlet, note, household_ref, outcome, people_guided, topics, visit_id, citizen_ref,
    birth_year, sex, action, result, failure_reason, provider, status, content_hash, received_at,
    updated_at, review_status, reviewed_by, reviewed_at, review_note, duplicate_of, voided,
    void_reason, voided_by, voided_at, change_stamp)
SELECT id, kind, team_id, volunteer_id, commune_code, occurred_at, occurred_on, lat, lon,
    accuracy_m, hamlet, note, household_ref, outcome, people_guided, topics, visit_id, citizen_ref,
    birth_year, sex, action, result, failure_reason, provider, status, content_hash, received_at,
    updated_at, review_status, reviewed_by, reviewed_at, review_note, duplicate_of, voided,
    void_reason, voided_by, voided_at, change_stamp
FROM records_before_sessions;
DROP TABLE records_before_sessions;
CREATE INDEX records_commune_day ON records (commune_code, occurred_on);
CREATE INDEX records_team_occurred ON records (team_id, occurred_at);
CREATE INDEX records_volunteer_occurred ON records (volunteer_id, occurred_at);
CREATE INDEX records_kind_occurred ON records (kind, occurred_at, id);
CREATE INDEX records_citizen ON records (citizen_ref, kind);
CREATE INDEX records_household ON records (team_id, household_ref);
CREATE INDEX records_volunteer_change ON records (volunteer_id, change_stamp, id)
WHERE change_stamp IS NOT NULL;

ALTER TABLE campaign_targets RENAME TO campaign_targets_before_sessions;
CREATE TABLE campaign_targets (
    campaign_id TEXT NOT NULL REFERENCES campaigns (id),
    unit_code   TEXT NOT NULL REFERENCES units (code),
    metric      TEXT NOT NULL CHECK (metric IN ('visits', 'households_guided', 'people_guided', 'vneid_installs',
                    'vneid_level2_activations', 'unique_citizens_assisted', 'signatures_submitted',
                    'signatures_issued', 'active_volunteers', 'digital_skills_certified',
                    'training_sessions', 'training_attendees')),
    target      BIGINT NOT NULL CHECK (target >= 0),
    percent     DOUBLE PRECISION CHECK (percent IS NULL OR (percent > 0 AND percent <= 100)),
    of_base     TEXT CHECK (of_base IS NULL OR of_base IN ('residents', 'adults', 'aged_15_plus', 'households')),
    PRIMARY KEY (campaign_id, unit_code, metric),
    CHECK ((percent IS NULL) = (of_base IS NULL))
);
INSERT INTO campaign_targets (campaign_id, unit_code, metric, target, percent, of_base)
SELECT campaign_id, unit_code, metric, target, percent, of_base FROM campaign_targets_before_sessions;
DROP TABLE campaign_targets_before_sessions;

ALTER TABLE daily_rollups ADD COLUMN training_sessions INTEGER NOT NULL DEFAULT 0;
ALTER TABLE daily_rollups ADD COLUMN training_sessions_approved INTEGER NOT NULL DEFAULT 0;
ALTER TABLE daily_rollups ADD COLUMN training_attendees INTEGER NOT NULL DEFAULT 0;
ALTER TABLE daily_rollups ADD COLUMN training_attendees_approved INTEGER NOT NULL DEFAULT 0;
ALTER TABLE commune_rollups ADD COLUMN training_sessions INTEGER NOT NULL DEFAULT 0;
ALTER TABLE commune_rollups ADD COLUMN training_sessions_approved INTEGER NOT NULL DEFAULT 0;
ALTER TABLE commune_rollups ADD COLUMN training_attendees INTEGER NOT NULL DEFAULT 0;
ALTER TABLE commune_rollups ADD COLUMN training_attendees_approved INTEGER NOT NULL DEFAULT 0;
