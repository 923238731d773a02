-- A target may be a share of a population figure: `percent` of the unit's `of_base`
-- (`residents`, `adults`, `aged_15_plus`, `households`). Its count is computed from the
-- unit's current figures when read, so a corrected figure moves it at once; `target`
-- then holds 0 and is not used.
ALTER TABLE campaign_targets ADD COLUMN percent DOUBLE PRECISION
    CHECK (percent IS NULL OR (percent > 0 AND percent <= 100));
ALTER TABLE campaign_targets ADD COLUMN of_base TEXT
    CHECK (of_base IS NULL OR of_base IN ('residents', 'adults', 'aged_15_plus', 'households'));
