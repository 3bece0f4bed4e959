-- A month's run reads the earlier months' sales awaiting usage and their credits. When an earlier
-- month is reconciled again after it, its figures may be out of date: stale_because names that
-- month until this month is reconciled again, and finance cannot approve it meanwhile
-- (docs/sales-points.md, "The next month follows").
ALTER TABLE sales_point_runs ADD COLUMN stale_because date;
