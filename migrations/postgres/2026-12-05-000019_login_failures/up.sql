-- Failed logins, so that every server process on one database counts a phone's (and an
-- address's) failures together. `key` is a keyed hash of `p:PHONE` or `a:ADDRESS`, never
-- the phone or address itself; rows older than the window are deleted as new ones arrive.
CREATE TABLE login_failures (
    id        TEXT PRIMARY KEY NOT NULL,
    key       TEXT NOT NULL,
    failed_at TIMESTAMP NOT NULL
);
CREATE INDEX login_failures_key ON login_failures (key, failed_at);
CREATE INDEX login_failures_age ON login_failures (failed_at);
