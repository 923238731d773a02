-- Population figures of a unit for a reference year: the base of percentage targets and of
-- coverage. Counts are people (or households); the CHECKs repeat the API's rules so no
-- path can store figures that contradict each other.
CREATE TABLE unit_population (
    unit_code    TEXT NOT NULL REFERENCES units (code),
    year         INTEGER NOT NULL CHECK (year BETWEEN 2000 AND 2100),
    residents    BIGINT NOT NULL CHECK (residents >= 0),
    adults       BIGINT NOT NULL CHECK (adults >= 0),
    aged_15_plus BIGINT NOT NULL CHECK (aged_15_plus >= adults AND aged_15_plus <= residents),
    households   BIGINT NOT NULL CHECK (households >= 0 AND households <= residents),
    updated_at   TIMESTAMP NOT NULL,
    updated_by   TEXT REFERENCES users (id),
    PRIMARY KEY (unit_code, year)
);
