-- Field records of all three kinds in one table: they share their whole life (create,
-- change, review, void, count), and each kind's own columns are checked per kind.
CREATE TABLE records (
    id             TEXT PRIMARY KEY NOT NULL,
    kind           TEXT NOT NULL CHECK (kind IN ('visit', 'vneid_assist', 'signature_registration')),
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
    action         TEXT CHECK (action IN ('install', 'register_level1', 'activate_level2')),
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
    CHECK (kind <> 'visit' OR (outcome IS NOT NULL AND people_guided IS NOT NULL AND topics IS NOT NULL)),
    CHECK (kind <> 'vneid_assist' OR (citizen_ref IS NOT NULL AND birth_year IS NOT NULL AND action IS NOT NULL AND result IS NOT NULL)),
    CHECK (kind <> 'signature_registration' OR (citizen_ref IS NOT NULL AND birth_year IS NOT NULL AND provider IS NOT NULL AND status IS NOT NULL))
);
CREATE INDEX records_commune_day ON records (commune_code, occurred_on);
CREATE INDEX records_team_occurred ON records (team_id, occurred_at);
CREATE INDEX records_volunteer_occurred ON records (volunteer_id, occurred_at);
CREATE INDEX records_kind_occurred ON records (kind, occurred_at, id);
CREATE INDEX records_citizen ON records (citizen_ref, kind);
CREATE INDEX records_household ON records (team_id, household_ref);
