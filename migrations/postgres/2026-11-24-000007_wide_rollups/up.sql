-- Rollups one row per place and day with a column per metric (instead of a row per
-- metric), plus a per-commune table: at 10 million records a province's 100 days are
-- ~10,000 commune rows to add up rather than millions of records. Citizen rows get their
-- province so a province's distinct citizens come from one ordered index range.
-- The old rows are carried over, so no rebuild is needed after upgrading.
CREATE TABLE daily_rollups_wide (
    commune_code TEXT NOT NULL REFERENCES units (code),
    day          DATE NOT NULL,
    team_id      TEXT NOT NULL REFERENCES teams (id),
    volunteer_id TEXT NOT NULL REFERENCES users (id),
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
    PRIMARY KEY (commune_code, day, team_id, volunteer_id)
);
INSERT INTO daily_rollups_wide (commune_code, day, team_id, volunteer_id,
    records, visits, households_guided, people_guided, vneid_installs, vneid_level2_activations, signatures_submitted, signatures_issued,
    records_approved, visits_approved, households_guided_approved, people_guided_approved, vneid_installs_approved, vneid_level2_activations_approved, signatures_submitted_approved, signatures_issued_approved)
SELECT commune_code, day, team_id, volunteer_id,
    SUM(CASE WHEN metric = 'records' THEN counted ELSE 0 END),
    SUM(CASE WHEN metric = 'visits' THEN counted ELSE 0 END),
    SUM(CASE WHEN metric = 'households_guided' THEN counted ELSE 0 END),
    SUM(CASE WHEN metric = 'people_guided' THEN counted ELSE 0 END),
    SUM(CASE WHEN metric = 'vneid_installs' THEN counted ELSE 0 END),
    SUM(CASE WHEN metric = 'vneid_level2_activations' THEN counted ELSE 0 END),
    SUM(CASE WHEN metric = 'signatures_submitted' THEN counted ELSE 0 END),
    SUM(CASE WHEN metric = 'signatures_issued' THEN counted ELSE 0 END),
    SUM(CASE WHEN metric = 'records' THEN approved ELSE 0 END),
    SUM(CASE WHEN metric = 'visits' THEN approved ELSE 0 END),
    SUM(CASE WHEN metric = 'households_guided' THEN approved ELSE 0 END),
    SUM(CASE WHEN metric = 'people_guided' THEN approved ELSE 0 END),
    SUM(CASE WHEN metric = 'vneid_installs' THEN approved ELSE 0 END),
    SUM(CASE WHEN metric = 'vneid_level2_activations' THEN approved ELSE 0 END),
    SUM(CASE WHEN metric = 'signatures_submitted' THEN approved ELSE 0 END),
    SUM(CASE WHEN metric = 'signatures_issued' THEN approved ELSE 0 END)
FROM daily_rollups
GROUP BY commune_code, day, team_id, volunteer_id;
DROP TABLE daily_rollups;
ALTER TABLE daily_rollups_wide RENAME TO daily_rollups;
CREATE INDEX daily_rollups_volunteers ON daily_rollups (commune_code, day, volunteer_id) INCLUDE (records, records_approved);
CREATE INDEX daily_rollups_team_day ON daily_rollups (team_id, day);

CREATE TABLE commune_rollups (
    commune_code TEXT NOT NULL REFERENCES units (code),
    day          DATE NOT NULL,
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
    PRIMARY KEY (commune_code, day)
);
INSERT INTO commune_rollups (commune_code, day,
    records, visits, households_guided, people_guided, vneid_installs, vneid_level2_activations, signatures_submitted, signatures_issued,
    records_approved, visits_approved, households_guided_approved, people_guided_approved, vneid_installs_approved, vneid_level2_activations_approved, signatures_submitted_approved, signatures_issued_approved)
SELECT commune_code, day,
    SUM(records),
    SUM(visits),
    SUM(households_guided),
    SUM(people_guided),
    SUM(vneid_installs),
    SUM(vneid_level2_activations),
    SUM(signatures_submitted),
    SUM(signatures_issued),
    SUM(records_approved),
    SUM(visits_approved),
    SUM(households_guided_approved),
    SUM(people_guided_approved),
    SUM(vneid_installs_approved),
    SUM(vneid_level2_activations_approved),
    SUM(signatures_submitted_approved),
    SUM(signatures_issued_approved)
FROM daily_rollups
GROUP BY commune_code, day;

CREATE TABLE citizen_rollups_v2 (
    province_code TEXT NOT NULL REFERENCES units (code),
    commune_code  TEXT NOT NULL REFERENCES units (code),
    day           DATE NOT NULL,
    team_id       TEXT NOT NULL REFERENCES teams (id),
    volunteer_id  TEXT NOT NULL REFERENCES users (id),
    citizen_ref   TEXT NOT NULL,
    counted       INTEGER NOT NULL DEFAULT 0,
    approved      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (commune_code, day, team_id, volunteer_id, citizen_ref)
);
INSERT INTO citizen_rollups_v2
SELECT u.parent_code, c.commune_code, c.day, c.team_id, c.volunteer_id, c.citizen_ref,
       c.counted, c.approved
FROM citizen_rollups c JOIN units u ON u.code = c.commune_code;
DROP TABLE citizen_rollups;
ALTER TABLE citizen_rollups_v2 RENAME TO citizen_rollups;
CREATE INDEX citizen_rollups_province ON citizen_rollups (province_code, citizen_ref, day) INCLUDE (counted, approved);
CREATE INDEX citizen_rollups_commune ON citizen_rollups (commune_code, citizen_ref, day) INCLUDE (counted, approved);
CREATE INDEX citizen_rollups_team_day ON citizen_rollups (team_id, day);
