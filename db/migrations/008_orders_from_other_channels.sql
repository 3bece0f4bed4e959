-- Orders that no campaign made (the API's other channels, a follow-on sale on a follow-up call)
-- still get their follow-up call, so a call need not belong to a campaign; and a follow-up call
-- can sell again.
ALTER TABLE call_attempts ALTER COLUMN campaign_id DROP NOT NULL;
ALTER TABLE call_attempts ADD COLUMN resale boolean;

-- A complaint made on a follow-up call, with what it was about: the record later sales-points and
-- QA work deduct from (one per order: the follow-up call's).
ALTER TABLE call_attempts ADD COLUMN complaint_reason text;
ALTER TABLE orders ADD COLUMN complaint_reason text;
CREATE TABLE complaints (
  order_id     text PRIMARY KEY REFERENCES orders(id),
  campaign_id  text,
  reason       text NOT NULL,
  source       text NOT NULL DEFAULT 'follow-up call',
  at           timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX complaints_campaign_idx ON complaints(campaign_id, at);
