DROP TABLE audit_log;
DROP TABLE team_members;
DROP TABLE teams;
