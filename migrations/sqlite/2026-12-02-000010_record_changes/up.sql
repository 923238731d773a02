-- The delta pull's change stamp (src/sync/changes.rs): a number from `change_clock`, taken
-- inside the write transaction that last changed a record after its create, NULL for a
-- record nobody changed. SQLite commits one writer at a time, so stamps commit in order.
ALTER TABLE records ADD COLUMN change_stamp BIGINT;
CREATE TABLE change_clock (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    value BIGINT NOT NULL
);
INSERT INTO change_clock (id, value) VALUES (1, 1);
-- Records already reviewed, flagged, voided or edited: a change every phone has yet to see.
UPDATE records SET change_stamp = 1
WHERE review_status <> 'pending' OR voided <> 0 OR updated_at <> received_at;
CREATE INDEX records_volunteer_change ON records (volunteer_id, change_stamp, id)
WHERE change_stamp IS NOT NULL;
