-- Campaigns of a unit and their targets per unit and metric.
CREATE TABLE campaigns (
    id         TEXT PRIMARY KEY NOT NULL,
    name       TEXT NOT NULL,
    unit_code  TEXT NOT NULL REFERENCES units (code),
    starts_on  DATE NOT NULL,
    ends_on    DATE NOT NULL,
    created_by TEXT REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK (ends_on >= starts_on)
);
CREATE INDEX campaigns_unit ON campaigns (unit_code, ends_on);
CREATE INDEX campaigns_created_at ON campaigns (created_at, id);

CREATE TABLE campaign_targets (
    campaign_id TEXT NOT NULL REFERENCES campaigns (id),
    unit_code   TEXT NOT NULL REFERENCES units (code),
    metric      TEXT NOT NULL CHECK (metric IN ('visits', 'households_guided', 'people_guided', 'vneid_installs',
                    'vneid_level2_activations', 'unique_citizens_assisted', 'signatures_submitted',
                    'signatures_issued', 'active_volunteers')),
    target      BIGINT NOT NULL CHECK (target >= 0),
    PRIMARY KEY (campaign_id, unit_code, metric)
);
