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
    PRIMARY KEY (hamlet_code, day)
);
CREATE INDEX household_count_days_commune ON household_count_days (commune_code, day);
