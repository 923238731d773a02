DROP INDEX webhook_deliveries_next;
CREATE INDEX webhook_deliveries_order ON webhook_deliveries (webhook_id, status, created_at, id);
ALTER TABLE webhooks DROP COLUMN daily_through;
