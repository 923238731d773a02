-- A target may be a share of a population figure: `percent` of the unit's `of_base`
-- (`residents`, `adults`, `aged_15_plus`, `households`). Its count is computed from the
-- unit's current figures when read, so a corrected figure moves it at once; `target`
-- then holds 0 and is not used.
ALTER TABLE campaign_targets
    ADD COLUMN percent DOUBLE PRECISION CHECK (percent > 0 AND percent <= 100),
    ADD COLUMN of_base TEXT CHECK (of_base IN ('residents', 'adults', 'aged_15_plus', 'households')),
    ADD CONSTRAINT campaign_targets_percent_of CHECK ((percent IS NULL) = (of_base IS NULL));
