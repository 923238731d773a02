ALTER TABLE campaign_targets DROP COLUMN of_base, DROP COLUMN percent;
