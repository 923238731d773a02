-- Rows per hamlet are summed back by `gocua` rebuilding the rollups from records; this
-- drops the hamlet tables and columns only.
ALTER TABLE records DROP COLUMN hamlet_code;
DROP TABLE team_hamlets;
DROP TABLE hamlet_lineage;
DROP TABLE rearrangements;
DROP TABLE hamlets;
