-- Two review fixes of hotline marketing (issue 16): the report's call volume and the referral sweep.

-- The report's call volume is the dialer's calls (hotline_call_events), identified or not
-- (docs/reports.md#hotline-marketing-seed-003): a call counts on the local day it came in, which
-- every event of it carries (arrivedAt). Events recorded before this column: their own time.
ALTER TABLE hotline_call_events ADD COLUMN arrived_at timestamptz;
UPDATE hotline_call_events SET arrived_at = at WHERE arrived_at IS NULL;
ALTER TABLE hotline_call_events ALTER COLUMN arrived_at SET NOT NULL;
CREATE INDEX hotline_call_events_arrived_idx ON hotline_call_events(arrived_at);

-- The referral sweep (docs/hotline.md, "Referrals"; the hotline-referral-sweep Schedule) finds the
-- open referrals whose window has closed, and the ones whose workflow it has not checked lately.
ALTER TABLE hotline_referrals ADD COLUMN swept_at timestamptz;
CREATE INDEX hotline_referrals_sweep_idx ON hotline_referrals(expires_at) WHERE status = 'open';
