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
-- be read per hamlet from the same rows.
ALTER TABLE daily_rollups ADD COLUMN hamlet_code TEXT NOT NULL DEFAULT '';
ALTER TABLE citizen_rollups ADD COLUMN hamlet_code TEXT NOT NULL DEFAULT '';
DO $$
DECLARE t text; n text;
BEGIN
    FOREACH t IN ARRAY ARRAY['daily_rollups', 'citizen_rollups'] LOOP
        SELECT conname INTO n FROM pg_constraint WHERE conrelid = t::regclass AND contype = 'p';
        EXECUTE format('ALTER TABLE %I DROP CONSTRAINT %I', t, n);
    END LOOP;
END $$;
ALTER TABLE daily_rollups ADD PRIMARY KEY (commune_code, day, team_id, volunteer_id, hamlet_code);
ALTER TABLE citizen_rollups ADD PRIMARY KEY (commune_code, citizen_id, day, team_id, volunteer_id, hamlet_code);

-- Population figures and campaign targets may name hamlets as well as provinces and
-- communes: the application checks the code (a unit or a hamlet), no longer a foreign key.
ALTER TABLE unit_population DROP CONSTRAINT unit_population_unit_code_fkey;
ALTER TABLE campaign_targets DROP CONSTRAINT campaign_targets_unit_code_fkey;
