-- Open households per hamlet now (`household_counts`), and the change of each count per
-- hamlet and local day (`household_count_days`): figures as of a past day are today's less
-- the changes after it. `digital_families` follows the province's definition in force, and
-- is rebuilt from the history when the definition changes (src/households/tally.rs).
CREATE TABLE household_counts (
    hamlet_code            TEXT PRIMARY KEY NOT NULL,
    commune_code           TEXT NOT NULL,
    households             INTEGER NOT NULL,
    digital_families       INTEGER NOT NULL,
    smart_device           INTEGER NOT NULL,
    internet               INTEGER NOT NULL,
    vneid_all_adults       INTEGER NOT NULL,
    online_public_services INTEGER NOT NULL,
    cashless_payment       INTEGER NOT NULL,
    digital_skills         INTEGER NOT NULL,
    digital_signature      INTEGER NOT NULL,
    online_safety          INTEGER NOT NULL
);
CREATE INDEX household_counts_commune ON household_counts (commune_code);

CREATE TABLE household_count_days (
    hamlet_code            TEXT NOT NULL,
    day                    DATE NOT NULL,
    commune_code           TEXT NOT NULL,
    households             INTEGER NOT NULL,
    digital_families       INTEGER NOT NULL,
    smart_device           INTEGER NOT NULL,
    internet               INTEGER NOT NULL,
    vneid_all_adults       INTEGER NOT NULL,
    online_public_services INTEGER NOT NULL,
    cashless_payment       INTEGER NOT NULL,
    digital_skills         INTEGER NOT NULL,
    digital_signature      INTEGER NOT NULL,
    online_safety          INTEGER NOT NULL,
    -- A province's changes after a day are one range of each commune.
    PRIMARY KEY (commune_code, day, hamlet_code)
);

-- Households reached (`households_reached`): the visits naming a household, by commune and
-- day, so counting them reads only those visits.
CREATE INDEX records_household_visits ON records (commune_code, occurred_on, household_id) WHERE household_id IS NOT NULL;

-- Targets may count households reached and digital families, and take a percentage of the
-- registered households.
ALTER TABLE campaign_targets DROP CONSTRAINT campaign_targets_metric_check,
    ADD CONSTRAINT campaign_targets_metric_check
    CHECK (metric IN ('visits', 'households_guided', 'people_guided', 'vneid_installs',
        'vneid_level2_activations', 'unique_citizens_assisted', 'signatures_submitted',
        'signatures_issued', 'active_volunteers', 'digital_skills_certified',
        'training_sessions', 'training_attendees', 'households_reached', 'digital_families'));
ALTER TABLE campaign_targets DROP CONSTRAINT campaign_targets_of_base_check,
    ADD CONSTRAINT campaign_targets_of_base_check
    CHECK (of_base IN ('residents', 'adults', 'aged_15_plus', 'households', 'registered_households'));
