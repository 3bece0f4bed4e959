-- The seed's report of hotline marketing (issue 16, seed 003; domain/reports/hotline.ts,
-- db/reports/hotline-sql.ts, docs/hotline.md#the-report).

-- The marketing share target: marketing calls as a share of all calls handled, from a month (the
-- operator's, its first day here) until a later one. Seed 003 asks for 18%, then 20% once the
-- third stage starts: 18% holds from the start, and marketing sets 20% from the month it chooses
-- (PUT /hotline/share-targets/:month). Earlier months keep their own target.
CREATE TABLE hotline_share_targets (
  effective_month  date PRIMARY KEY CHECK (extract(day FROM effective_month) = 1),
  share            numeric(5,4) NOT NULL CHECK (share > 0 AND share <= 1),
  set_by           text NOT NULL,
  set_at           timestamptz NOT NULL DEFAULT now(),
  note             text
);
INSERT INTO hotline_share_targets (effective_month, share, set_by, note)
  VALUES ('2000-01-01', 0.18, 'migration', 'seed 003: marketing calls at 18% of call volume');

-- The report reads a period's interactions by the time they started.
CREATE INDEX hotline_interactions_started_idx ON hotline_interactions(started_at);
