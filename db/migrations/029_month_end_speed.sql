-- Billing's list, one table per import (docs/sales-points.md, "Billing's list"). The import used
-- to COPY a file into a temporary staging table, check it, then write every line again, typed,
-- into one shared table: a million lines written twice, the second time row by row (INSERT …
-- SELECT), and read again by each reconciliation through a BRIN index over every import ever
-- made. Now the file is COPYed once, as its text, into a table made for the import in the same
-- transaction (COPY … FREEZE: written in bulk, never revisited to set hint bits), checked there,
-- and attached as the import's partition of billing_lines when it is good; a bad file's table
-- goes with the rollback. A reconciliation reads its import's partition alone.
--
-- The columns hold the fields as the file wrote them: the import only keeps a file whose every
-- line passed the checks (db/sales-points/billing-checks-sql.ts), and billing_subscriptions reads
-- them typed. They are nullable here so that a missing field is listed by the checks with its line
-- rather than stopping COPY at the first; a partition's columns must be no stricter than this.

ALTER TABLE billing_lines RENAME TO billing_lines_before_029;
DROP INDEX IF EXISTS billing_lines_import_brin;

CREATE TABLE billing_lines (
  import_id     bigint NOT NULL,
  msisdn        text,
  service_code  text,
  activated_on  text,   -- YYYY-MM-DD
  cancelled_on  text,   -- YYYY-MM-DD, or empty/null while active
  used          text    -- true, false, 1 or 0 (any case the checks allow)
) PARTITION BY LIST (import_id);

-- The lines of earlier imports, each import its partition.
DO $$
DECLARE
  i bigint;
BEGIN
  FOR i IN SELECT id FROM billing_imports ORDER BY id LOOP
    EXECUTE format('CREATE TABLE billing_lines_%s PARTITION OF billing_lines FOR VALUES IN (%s)', i, i);
  END LOOP;
END $$;
INSERT INTO billing_lines (import_id, msisdn, service_code, activated_on, cancelled_on, used)
SELECT import_id, msisdn, service_code, to_char(activated_on, 'YYYY-MM-DD'), to_char(cancelled_on, 'YYYY-MM-DD'), used::text
  FROM billing_lines_before_029 l
 WHERE EXISTS (SELECT 1 FROM billing_imports i WHERE i.id = l.import_id);
DROP TABLE billing_lines_before_029;

-- Billing's lines typed, as the reconciliation and people read them.
CREATE VIEW billing_subscriptions AS
SELECT import_id, msisdn, service_code,
       activated_on::date AS activated_on,
       nullif(cancelled_on, '')::date AS cancelled_on,
       lower(used) IN ('true', '1') AS used
  FROM billing_lines;

-- A field of billing's file as a day: YYYY-MM-DD exactly, a day of the calendar, 1900 to 2099; null
-- when it is not one ('today', '2026/10/05', '2026-02-30' and the like, which a cast would take or
-- fail on). The checks call it once per distinct text of the file (a few hundred), not per line,
-- so the subtransaction its exception block costs does not matter. No subtransaction may start
-- while a parallel plan runs, so it is PARALLEL UNSAFE: the checks group the lines in parallel
-- first, in a statement of their own, and read the groups' days after.
CREATE FUNCTION billing_day(t text) RETURNS date LANGUAGE plpgsql STABLE PARALLEL UNSAFE AS $$
DECLARE
  d date;
BEGIN
  IF t IS NULL OR length(t) <> 10 THEN RETURN NULL; END IF;
  d := t::date;
  IF to_char(d, 'YYYY-MM-DD') = t AND d BETWEEN '1900-01-01' AND '2099-12-31' THEN RETURN d; END IF;
  RETURN NULL;
EXCEPTION WHEN data_exception THEN
  RETURN NULL;
END $$;

-- A month's run writes some 200,000 ledger rows; each index is a write of each. What a run deletes
-- when it runs again (run_month) lies in its month and the next (carried-in): the (month, staff)
-- index finds it.
DROP INDEX points_ledger_run_idx;
-- The same for the (month, staff) index: its entries went in at random places, one for each row.
-- A month's rows are written together, by its run, so a BRIN index over the month finds them for
-- almost nothing; a staff member's statement reads their month's rows among the month's.
DROP INDEX points_ledger_month_idx;
CREATE INDEX points_ledger_month_brin ON points_ledger USING brin (month) WITH (pages_per_range = 32, autosummarize = on);

-- The ledger's references (migration 028), checked once per statement: a run's 170,000 rows name
-- a few thousand staff, looked up once each rather than once a row.
CREATE OR REPLACE FUNCTION sales_points_check_references() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  bad text;
BEGIN
  IF TG_TABLE_NAME = 'points_ledger' THEN
    SELECT 'staff ' || n.staff_id INTO bad FROM (SELECT DISTINCT staff_id FROM new_rows) n
     WHERE NOT EXISTS (SELECT 1 FROM staff s WHERE s.id = n.staff_id) LIMIT 1;
    IF bad IS NULL THEN
      SELECT 'sale ' || n.entry_id INTO bad FROM new_rows n
       WHERE n.entry_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM sales_entries e WHERE e.id = n.entry_id) LIMIT 1;
    END IF;
    IF bad IS NULL THEN
      SELECT 'ledger row ' || n.refers_to INTO bad FROM new_rows n
       WHERE n.refers_to IS NOT NULL AND NOT EXISTS (SELECT 1 FROM points_ledger l WHERE l.id = n.refers_to) LIMIT 1;
    END IF;
  ELSIF TG_TABLE_NAME = 'sales_matches' THEN
    SELECT 'sale ' || n.entry_id INTO bad FROM new_rows n WHERE NOT EXISTS (SELECT 1 FROM sales_entries e WHERE e.id = n.entry_id) LIMIT 1;
  ELSE -- sales_disputes
    SELECT 'ledger row ' || n.ledger_id INTO bad FROM new_rows n
     WHERE n.ledger_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM points_ledger l WHERE l.id = n.ledger_id) LIMIT 1;
  END IF;
  IF bad IS NOT NULL THEN PERFORM sales_points_missing_reference(TG_TABLE_NAME, bad); END IF;
  RETURN NULL;
END $$;
