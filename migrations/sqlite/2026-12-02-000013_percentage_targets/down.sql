ALTER TABLE campaign_targets DROP COLUMN of_base;
ALTER TABLE campaign_targets DROP COLUMN percent;
