-- Orders that no campaign made (the API's other channels, a follow-on sale on a follow-up call)
-- still get their follow-up call, so a call need not belong to a campaign; and a follow-up call
-- can sell again.
ALTER TABLE call_attempts ALTER COLUMN campaign_id DROP NOT NULL;
ALTER TABLE call_attempts ADD COLUMN resale boolean;
