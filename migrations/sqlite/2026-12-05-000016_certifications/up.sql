-- A commune's figures certified for a month or an ISO week: the snapshot of every metric
-- (JSON, as the API shows it) taken when submitted; accepted locks the period's records
-- against changes. One live certification (submitted or accepted) per commune and period.
CREATE TABLE certifications (
    id            TEXT PRIMARY KEY NOT NULL,
    unit_code     TEXT NOT NULL REFERENCES units (code),
    period        TEXT NOT NULL,
    from_day      DATE NOT NULL,
    to_day        DATE NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('submitted', 'accepted', 'returned', 'reopened')),
    metrics       TEXT NOT NULL,
    note          TEXT,
    submitted_by  TEXT NOT NULL REFERENCES users (id),
    submitted_at  TIMESTAMP NOT NULL,
    decided_by    TEXT REFERENCES users (id),
    decided_at    TIMESTAMP,
    decision_note TEXT,
    reopened_by   TEXT REFERENCES users (id),
    reopened_at   TIMESTAMP,
    reopen_reason TEXT,
    updated_at    TIMESTAMP NOT NULL,
    CHECK (to_day >= from_day)
);
CREATE UNIQUE INDEX certifications_live ON certifications (unit_code, period)
WHERE status IN ('submitted', 'accepted');
CREATE INDEX certifications_unit_days ON certifications (unit_code, from_day, to_day, status);
CREATE INDEX certifications_period ON certifications (period, unit_code);
