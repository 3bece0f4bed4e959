-- A lead whose next step failed for good (its order could not start, say): recorded on the lead,
-- so the campaign goes on and a person sees what went wrong. No foreign key to leads: the record
-- stays when the lead itself is gone (erased), and says so.
CREATE TABLE lead_failures (
  campaign_id text NOT NULL REFERENCES campaigns(id),
  lead_id     bigint NOT NULL,
  stage       text NOT NULL CHECK (stage IN ('order')),
  reason      text NOT NULL,
  at          timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (campaign_id, lead_id, stage)
);
