-- The delta pull's change stamp (src/sync/changes.rs): the id of the transaction that last
-- changed a record after its create, NULL for a record nobody changed. A phone pages by
-- (change_stamp, id) below the oldest transaction still open, so a change that commits
-- late is never skipped.
ALTER TABLE records ADD COLUMN change_stamp BIGINT;
-- Records already reviewed, flagged, voided or edited: a change every phone has yet to see.
UPDATE records SET change_stamp = 1
WHERE review_status <> 'pending' OR voided <> 0 OR updated_at <> received_at;
CREATE INDEX records_volunteer_change ON records (volunteer_id, change_stamp, id)
WHERE change_stamp IS NOT NULL;
