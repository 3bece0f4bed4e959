-- Billing's list is written a million lines at a time, each import's lines one after another, and
-- read an import whole (docs/sales-points.md, "Billing's list"). A btree on import_id made every
-- line a second WAL record (157 MB of WAL for a million lines instead of 92, a sixth of the
-- import's time: docs/benchmarks.md); a BRIN index over the same column finds an import's pages
-- as well, for almost nothing. Pages an import has just written are not summarised yet, and a
-- scan reads those anyway: they are the newest import's.
DROP INDEX billing_lines_import_idx;
CREATE INDEX billing_lines_import_brin ON billing_lines USING brin (import_id) WITH (pages_per_range = 32, autosummarize = on);
