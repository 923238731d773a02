-- The household register (src/households): one row per door of a hamlet, its current
-- state; `household_versions` keeps every version for the history, offline merges and
-- figures as of a past day. Criteria are two bit masks in the order of
-- `households::model::Criterion` (bit 0 smart_device … bit 7 online_safety):
-- `criteria_true` where the criterion is true, `criteria_known` where it is true or false.
CREATE TABLE households (
    id              TEXT PRIMARY KEY NOT NULL,
    commune_code    TEXT NOT NULL REFERENCES units (code),
    hamlet_code     TEXT NOT NULL REFERENCES hamlets (code),
    label           TEXT NOT NULL,
    label_key       TEXT NOT NULL,
    address         TEXT,
    members         INTEGER NOT NULL CHECK (members BETWEEN 1 AND 50),
    adults          INTEGER NOT NULL CHECK (adults BETWEEN 0 AND members),
    criteria_true   INTEGER NOT NULL,
    criteria_known  INTEGER NOT NULL,
    needs_placement BOOLEAN NOT NULL DEFAULT FALSE,
    closed_reason   TEXT CHECK (closed_reason IN ('moved_away', 'demolished', 'duplicate')),
    duplicate_of    TEXT,
    closed_at       TIMESTAMP,
    version         INTEGER NOT NULL,
    observed_at     TIMESTAMP NOT NULL,
    content_hash    TEXT NOT NULL,
    created_by      TEXT NOT NULL REFERENCES users (id),
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL,
    change_stamp    BIGINT NOT NULL
);
-- A label is unique among the hamlet's open households, ignoring case.
CREATE UNIQUE INDEX households_open_label ON households (hamlet_code, label_key) WHERE closed_at IS NULL;
-- A team's pull pages by (change_stamp, id) within its hamlets.
CREATE INDEX households_hamlet_change ON households (hamlet_code, change_stamp, id);
CREATE INDEX households_commune ON households (commune_code, hamlet_code);

CREATE TABLE household_versions (
    household_id   TEXT NOT NULL REFERENCES households (id),
    version        INTEGER NOT NULL,
    changed_at     TIMESTAMP NOT NULL,
    changed_by     TEXT NOT NULL REFERENCES users (id),
    observed_at    TIMESTAMP NOT NULL,
    -- JSON object {field: [old, new]}.
    changes        TEXT NOT NULL,
    -- The state after this version, for figures as of a past day.
    hamlet_code    TEXT NOT NULL,
    is_open        BOOLEAN NOT NULL,
    criteria_true  INTEGER NOT NULL,
    PRIMARY KEY (household_id, version)
);
CREATE INDEX household_versions_changed ON household_versions (changed_at);

-- A household leaving a team's share (moved, closed, the hamlet unassigned): the team's
-- phones are told in `removed`, paged by (change_stamp, household_id) like the changes.
CREATE TABLE household_exits (
    team_id      TEXT NOT NULL REFERENCES teams (id),
    household_id TEXT NOT NULL REFERENCES households (id),
    change_stamp BIGINT NOT NULL,
    PRIMARY KEY (team_id, change_stamp, household_id)
);

-- The province's definition of a digital family (comma-separated criteria) and of a
-- digital residential area; a province without a row uses the default.
CREATE TABLE digital_family_definitions (
    province_code          TEXT PRIMARY KEY NOT NULL REFERENCES units (code),
    criteria               TEXT NOT NULL,
    residential_area_share INTEGER NOT NULL CHECK (residential_area_share BETWEEN 1 AND 100),
    updated_by             TEXT REFERENCES users (id),
    updated_at             TIMESTAMP NOT NULL
);

ALTER TABLE records ADD COLUMN household_id TEXT;
CREATE INDEX records_household_id ON records (household_id, occurred_at) WHERE household_id IS NOT NULL;
