CREATE TABLE hamlets (
    code         TEXT PRIMARY KEY NOT NULL,
    commune_code TEXT NOT NULL REFERENCES units (code),
    seq          INTEGER NOT NULL,
    name         TEXT NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('thon', 'ap', 'ban', 'buon', 'soc', 'to-dan-pho', 'khu-pho', 'khom', 'khu-dan-cu')),
    search_text  TEXT NOT NULL,
    valid_from   DATE NOT NULL,
    valid_to     DATE,
    created_by   TEXT REFERENCES users (id),
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL,
    UNIQUE (commune_code, seq),
    CHECK (valid_to IS NULL OR valid_to >= valid_from)
);
-- A name is unique among the commune's open hamlets, ignoring case and diacritics.
CREATE UNIQUE INDEX hamlets_open_name ON hamlets (commune_code, search_text) WHERE valid_to IS NULL;

CREATE TABLE rearrangements (
    id           TEXT PRIMARY KEY NOT NULL,
    commune_code TEXT NOT NULL REFERENCES units (code),
    effective_on DATE NOT NULL,
    note         TEXT,
    created_by   TEXT REFERENCES users (id),
    created_at   TIMESTAMP NOT NULL
);
CREATE INDEX rearrangements_commune ON rearrangements (commune_code, effective_on);

-- Lineage, both ways: `from_code` closed, `to_code` opened by the same rearrangement.
CREATE TABLE hamlet_lineage (
    from_code        TEXT NOT NULL REFERENCES hamlets (code),
    to_code          TEXT NOT NULL REFERENCES hamlets (code),
    rearrangement_id TEXT NOT NULL REFERENCES rearrangements (id),
    PRIMARY KEY (from_code, to_code)
);
CREATE INDEX hamlet_lineage_to ON hamlet_lineage (to_code);

CREATE TABLE team_hamlets (
    team_id     TEXT NOT NULL REFERENCES teams (id),
    hamlet_code TEXT NOT NULL REFERENCES hamlets (code),
    PRIMARY KEY (team_id, hamlet_code)
);
CREATE INDEX team_hamlets_hamlet ON team_hamlets (hamlet_code);

ALTER TABLE records ADD COLUMN hamlet_code TEXT;

-- Rollups gain the hamlet as sent ('' for none) in their keys, so a commune's figures can
-- be read per hamlet from the same rows. SQLite changes a primary key by copying the table.
CREATE TABLE daily_rollups_v3 (
    commune_code TEXT NOT NULL REFERENCES units (code),
    day          DATE NOT NULL,
    team_id      TEXT NOT NULL REFERENCES teams (id),
    volunteer_id TEXT NOT NULL REFERENCES users (id),
    hamlet_code  TEXT NOT NULL DEFAULT '',
    records                              INTEGER NOT NULL DEFAULT 0,
    visits                               INTEGER NOT NULL DEFAULT 0,
    households_guided                    INTEGER NOT NULL DEFAULT 0,
    people_guided                        INTEGER NOT NULL DEFAULT 0,
    vneid_installs                       INTEGER NOT NULL DEFAULT 0,
    vneid_level2_activations             INTEGER NOT NULL DEFAULT 0,
    signatures_submitted                 INTEGER NOT NULL DEFAULT 0,
    signatures_issued                    INTEGER NOT NULL DEFAULT 0,
    records_approved                     INTEGER NOT NULL DEFAULT 0,
    visits_approved                      INTEGER NOT NULL DEFAULT 0,
    households_guided_approved           INTEGER NOT NULL DEFAULT 0,
    people_guided_approved               INTEGER NOT NULL DEFAULT 0,
    vneid_installs_approved              INTEGER NOT NULL DEFAULT 0,
    vneid_level2_activations_approved    INTEGER NOT NULL DEFAULT 0,
    signatures_submitted_approved        INTEGER NOT NULL DEFAULT 0,
    signatures_issued_approved           INTEGER NOT NULL DEFAULT 0,
    digital_skills_certified             INTEGER NOT NULL DEFAULT 0,
    digital_skills_certified_approved    INTEGER NOT NULL DEFAULT 0,
    training_sessions                    INTEGER NOT NULL DEFAULT 0,
    training_sessions_approved           INTEGER NOT NULL DEFAULT 0,
    training_attendees                   INTEGER NOT NULL DEFAULT 0,
    training_attendees_approved          INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (commune_code, day, team_id, volunteer_id, hamlet_code)
) WITHOUT ROWID;
INSERT INTO daily_rollups_v3 (commune_code, day, team_id, volunteer_id, records, visits,
    households_guided, people_guided, vneid_installs, vneid_level2_activations,
    signatures_submitted, signatures_issued, records_approved, visits_approved,
    households_guided_approved, people_guided_approved, vneid_installs_approved,
    vneid_level2_activations_approved, signatures_submitted_approved,
    signatures_issued_approved, digital_skills_certified, digital_skills_certified_approved,
    training_sessions, training_sessions_approved, training_attendees,
    training_attendees_approved)
SELECT commune_code, day, team_id, volunteer_id, records, visits,
    households_guided, people_guided, vneid_installs, vneid_level2_activations,
    signatures_submitted, signatures_issued, records_approved, visits_approved,
    households_guided_approved, people_guided_approved, vneid_installs_approved,
    vneid_level2_activations_approved, signatures_submitted_approved,
    signatures_issued_approved, digital_skills_certified, digital_skills_certified_approved,
    training_sessions, training_sessions_approved, training_attendees,
    training_attendees_approved
FROM daily_rollups;
DROP TABLE daily_rollups;
ALTER TABLE daily_rollups_v3 RENAME TO daily_rollups;
CREATE INDEX daily_rollups_team_day ON daily_rollups (team_id, day);
CREATE INDEX daily_rollups_volunteer ON daily_rollups (volunteer_id);

CREATE TABLE citizen_rollups_v5 (
    province_code TEXT NOT NULL REFERENCES units (code),
    commune_code  TEXT NOT NULL REFERENCES units (code),
    day           DATE NOT NULL,
    team_id       TEXT NOT NULL REFERENCES teams (id),
    volunteer_id  TEXT NOT NULL REFERENCES users (id),
    citizen_id    BIGINT NOT NULL REFERENCES citizens (id),
    hamlet_code   TEXT NOT NULL DEFAULT '',
    counted       INTEGER NOT NULL DEFAULT 0,
    approved      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (commune_code, citizen_id, day, team_id, volunteer_id, hamlet_code)
) WITHOUT ROWID;
INSERT INTO citizen_rollups_v5 (province_code, commune_code, day, team_id, volunteer_id,
    citizen_id, counted, approved)
SELECT province_code, commune_code, day, team_id, volunteer_id, citizen_id, counted, approved
FROM citizen_rollups;
DROP TABLE citizen_rollups;
ALTER TABLE citizen_rollups_v5 RENAME TO citizen_rollups;
CREATE INDEX citizen_rollups_team_day ON citizen_rollups (team_id, day);
CREATE INDEX citizen_rollups_citizen ON citizen_rollups (citizen_id);

-- Population figures and campaign targets may name hamlets as well as provinces and
-- communes: the application checks the code (a unit or a hamlet), no longer a foreign key.
CREATE TABLE unit_population_v2 (
    unit_code    TEXT NOT NULL,
    year         INTEGER NOT NULL CHECK (year BETWEEN 2000 AND 2100),
    residents    BIGINT NOT NULL CHECK (residents >= 0),
    adults       BIGINT NOT NULL CHECK (adults >= 0),
    aged_15_plus BIGINT NOT NULL CHECK (aged_15_plus >= adults AND aged_15_plus <= residents),
    households   BIGINT NOT NULL CHECK (households >= 0 AND households <= residents),
    updated_at   TIMESTAMP NOT NULL,
    updated_by   TEXT REFERENCES users (id),
    PRIMARY KEY (unit_code, year)
);
INSERT INTO unit_population_v2 SELECT unit_code, year, residents, adults, aged_15_plus,
    households, updated_at, updated_by FROM unit_population;
DROP TABLE unit_population;
ALTER TABLE unit_population_v2 RENAME TO unit_population;

CREATE TABLE campaign_targets_v2 (
    campaign_id TEXT NOT NULL REFERENCES campaigns (id),
    unit_code   TEXT NOT NULL,
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
INSERT INTO campaign_targets_v2 SELECT campaign_id, unit_code, metric, target, percent, of_base
FROM campaign_targets;
DROP TABLE campaign_targets;
ALTER TABLE campaign_targets_v2 RENAME TO campaign_targets;
