-- Yes/no columns become BOOLEAN (they were INTEGER 0/1, as on SQLite, where diesel reads
-- and writes its booleans as 0/1 in INTEGER columns, so SQLite needs no change).
ALTER TABLE units ALTER COLUMN active DROP DEFAULT,
    ALTER COLUMN active TYPE BOOLEAN USING active <> 0,
    ALTER COLUMN active SET DEFAULT TRUE;
ALTER TABLE users ALTER COLUMN active DROP DEFAULT,
    ALTER COLUMN active TYPE BOOLEAN USING active <> 0,
    ALTER COLUMN active SET DEFAULT TRUE;
ALTER TABLE teams ALTER COLUMN active DROP DEFAULT,
    ALTER COLUMN active TYPE BOOLEAN USING active <> 0,
    ALTER COLUMN active SET DEFAULT TRUE;
ALTER TABLE records ALTER COLUMN voided DROP DEFAULT,
    ALTER COLUMN voided TYPE BOOLEAN USING voided <> 0,
    ALTER COLUMN voided SET DEFAULT FALSE;
