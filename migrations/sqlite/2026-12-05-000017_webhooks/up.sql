-- Webhook subscriptions of a unit, and their outbox: one delivery row per webhook and
-- event, written in the transaction of the change that causes it, sent by the delivery
-- worker oldest first per webhook. `lease_until` lets several server processes share the
-- worker: a process sends a delivery only after taking its lease.
CREATE TABLE webhooks (
    id          TEXT PRIMARY KEY NOT NULL,
    url         TEXT NOT NULL,
    unit_code   TEXT NOT NULL REFERENCES units (code),
    events      TEXT NOT NULL,
    description TEXT,
    secret      TEXT NOT NULL,
    created_by  TEXT REFERENCES users (id),
    created_at  TIMESTAMP NOT NULL,
    deleted_at  TIMESTAMP
);
CREATE INDEX webhooks_unit ON webhooks (unit_code, created_at);

CREATE TABLE webhook_deliveries (
    id               TEXT PRIMARY KEY NOT NULL,
    webhook_id       TEXT NOT NULL REFERENCES webhooks (id),
    event_id         TEXT NOT NULL,
    event_type       TEXT NOT NULL,
    body             TEXT NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    last_status_code INTEGER,
    last_error       TEXT,
    created_at       TIMESTAMP NOT NULL,
    next_attempt_at  TIMESTAMP NOT NULL,
    delivered_at     TIMESTAMP,
    lease_until      TIMESTAMP
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
CREATE INDEX webhook_deliveries_order ON webhook_deliveries (webhook_id, status, created_at, id);
