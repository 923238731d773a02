DROP TABLE campaign_targets;
DROP TABLE campaigns;
