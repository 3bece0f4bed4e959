-- Room on each page of hotline_interactions for its rows' next versions (issue 16's benchmark,
-- docs/benchmarks.md): an interaction is updated several times in its life (answered, claimed by its
-- recommendations, ended), and but for a take-over never in an indexed column, so with room on the
-- page such an update is a heap-only tuple: none of the table's six indexes is written again. Pages written from now on.
ALTER TABLE hotline_interactions SET (fillfactor = 80);

-- The propensity counts' version: each API process keeps the counts in memory and reads them again
-- when a recommendation's facts show another version (db/hotline/propensity-cache.ts), rather than
-- every recommendation reading its segment's counts. Every write of hotline_propensity bumps it in
-- the same statement, first: a version and its counts commit together and are read in one snapshot,
-- and the row's lock makes the versions' order the commits' order. (It also makes outcome
-- transactions take turns from their count to their commit.)
CREATE TABLE hotline_propensity_version (
  one     boolean PRIMARY KEY DEFAULT true CHECK (one),
  version bigint NOT NULL
);
INSERT INTO hotline_propensity_version (version) VALUES (1);

