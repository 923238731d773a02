-- Distinct citizens and volunteers over any period without visiting each person: a person
-- counts once in [from, to] exactly on their first counted day in it, the one whose
-- previous counted day (in the same unit) is before `from`. So each unit keeps, per
-- (day, previous day) pair, how many people's days it has, and a period's distinct count
-- is the sum over its days of the pairs whose previous day is before `from` (`prev_day`
-- equals `day` for a person's first day there). A few hundred rows per commune instead of
-- a scan of every citizen or a probe per volunteer; kept by the writer in the record's
-- transaction (`stats::spans`). `unit_code` is a commune, a province, or '' for the country.
CREATE TABLE distinct_spans (
    kind      TEXT NOT NULL CHECK (kind IN ('citizens', 'volunteers')),
    unit_code TEXT NOT NULL,
    day       DATE NOT NULL,
    prev_day  DATE NOT NULL,
    counted   INTEGER NOT NULL DEFAULT 0,
    approved  INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (kind, unit_code, day, prev_day)
);

WITH present AS (
    SELECT 'citizens' AS kind, commune_code, province_code, CAST(citizen_id AS TEXT) AS who, day,
           CASE WHEN SUM(counted) > 0 THEN 1 ELSE 0 END AS c,
           CASE WHEN SUM(approved) > 0 THEN 1 ELSE 0 END AS a
    FROM citizen_rollups
    GROUP BY commune_code, province_code, citizen_id, day
    UNION ALL
    SELECT 'volunteers', d.commune_code, u.parent_code, d.volunteer_id, d.day,
           CASE WHEN SUM(d.records) > 0 THEN 1 ELSE 0 END,
           CASE WHEN SUM(d.records_approved) > 0 THEN 1 ELSE 0 END
    FROM daily_rollups d JOIN units u ON u.code = d.commune_code
    GROUP BY d.commune_code, u.parent_code, d.volunteer_id, d.day
),
days AS (
    SELECT kind, unit_code, who, day, MAX(c) AS c, MAX(a) AS a
    FROM (
        SELECT kind, commune_code AS unit_code, who, day, c, a FROM present
        UNION ALL
        SELECT kind, province_code, who, day, c, a FROM present
        UNION ALL
        SELECT kind, '', who, day, c, a FROM present
    ) l
    GROUP BY kind, unit_code, who, day
),
spans AS (
    SELECT kind, unit_code, day,
           COALESCE(LAG(day) OVER (PARTITION BY kind, unit_code, who ORDER BY day), day) AS prev_day,
           1 AS counted, 0 AS approved
    FROM days WHERE c = 1
    UNION ALL
    SELECT kind, unit_code, day,
           COALESCE(LAG(day) OVER (PARTITION BY kind, unit_code, who ORDER BY day), day),
           0, 1
    FROM days WHERE a = 1
)
INSERT INTO distinct_spans (kind, unit_code, day, prev_day, counted, approved)
SELECT kind, unit_code, day, prev_day, SUM(counted), SUM(approved)
FROM spans
GROUP BY kind, unit_code, day, prev_day;

-- What the old reads needed and the writer's look-ups of one person's days need now.
DROP TABLE rollup_volunteers;
DROP INDEX daily_rollups_volunteer_days;
DROP INDEX citizen_rollups_province;
DROP INDEX citizen_rollups_commune;
CREATE INDEX daily_rollups_volunteer ON daily_rollups (volunteer_id);
CREATE INDEX citizen_rollups_citizen ON citizen_rollups (citizen_id);
