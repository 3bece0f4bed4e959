-- When each lead was listed: reports count "listed" on the day of the list pull, and a campaign's
-- evaluation measures its leads from then. Leads written before this column take their campaign's
-- creation time (the pull ran right after the launch).
ALTER TABLE leads ADD COLUMN listed_at timestamptz;
UPDATE leads l SET listed_at = c.created_at FROM campaigns c WHERE c.id = l.campaign_id;
ALTER TABLE leads ALTER COLUMN listed_at SET DEFAULT now();
ALTER TABLE leads ALTER COLUMN listed_at SET NOT NULL;
