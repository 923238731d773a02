-- The last local day whose `stats.daily` event a webhook has been given (NULL: none yet, so
-- the day that ended last goes out first). The worker moves it forward in the transaction
-- that writes the event, so each day goes out once even with several server processes.
ALTER TABLE webhooks ADD COLUMN daily_through DATE;

-- A webhook's next delivery is its oldest pending one by id (ids are time-ordered): the
-- index reads it at once instead of sorting the webhook's whole backlog.
DROP INDEX webhook_deliveries_order;
CREATE INDEX webhook_deliveries_next ON webhook_deliveries (webhook_id, status, id);
