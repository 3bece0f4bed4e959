-- Whether a sale is in two of a statement's grouped sales credits (migration 039) is first
-- counted: the sales against their distinct count, which sorts them once, in 40 ms for a month of
-- 171,322 credited sales where grouping them took 110 ms (issue 15's benchmark,
-- docs/benchmarks.md). Only a count that differs looks for the sale to name. The rest of the
-- function is migration 039's.

CREATE OR REPLACE FUNCTION sales_points_check_references() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  bad text;
  wrong text;
BEGIN
  IF TG_TABLE_NAME = 'points_ledger' THEN
    SELECT 'staff ' || n.staff_id INTO bad FROM (SELECT DISTINCT staff_id FROM new_rows) n
     WHERE NOT EXISTS (SELECT 1 FROM staff s WHERE s.id = n.staff_id) LIMIT 1;
    IF bad IS NULL THEN
      SELECT 'sale ' || n.entry_id INTO bad FROM new_rows n
       WHERE n.entry_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM sales_entries e WHERE e.id = n.entry_id) LIMIT 1;
    END IF;
    IF bad IS NULL THEN
      -- (their existence only: the key's index answers it. Checking their month and staff member
      -- too read each sale's row, five times as long.)
      SELECT 'sale ' || s.entry_id INTO bad FROM new_rows n CROSS JOIN LATERAL unnest(n.entry_ids) AS s(entry_id)
       WHERE n.entry_ids IS NOT NULL AND NOT EXISTS (SELECT 1 FROM sales_entries e WHERE e.id = s.entry_id) LIMIT 1;
    END IF;
    IF bad IS NULL THEN
      SELECT 'ledger row ' || n.refers_to INTO bad FROM new_rows n
       WHERE n.refers_to IS NOT NULL AND NOT EXISTS (SELECT 1 FROM points_ledger l WHERE l.id = n.refers_to) LIMIT 1;
    END IF;
    IF bad IS NULL THEN
      -- a sale twice among the statement's grouped credits: a sale is credited once (counted
      -- first; only a count that differs looks for the sale)
      IF (SELECT count(*) <> count(DISTINCT s.entry_id) FROM new_rows n CROSS JOIN LATERAL unnest(n.entry_ids) AS s(entry_id)
           WHERE n.entry_ids IS NOT NULL) THEN
        SELECT 'sale ' || s.entry_id || ' is in two of its month''s sales credits' INTO wrong
          FROM new_rows n CROSS JOIN LATERAL unnest(n.entry_ids) AS s(entry_id)
         WHERE n.entry_ids IS NOT NULL GROUP BY s.entry_id HAVING count(*) > 1 LIMIT 1;
      END IF;
      -- a clawback takes back the credit of a sale the row it names credited
      IF wrong IS NULL THEN
        SELECT 'clawback of sale ' || n.entry_id || ' names ledger row ' || n.refers_to || ', which did not credit it' INTO wrong
          FROM new_rows n JOIN points_ledger l ON l.id = n.refers_to
         WHERE n.kind = 'clawback' AND l.entry_id IS DISTINCT FROM n.entry_id AND NOT (n.entry_id = ANY(coalesce(l.entry_ids, '{}'))) LIMIT 1;
      END IF;
      IF wrong IS NOT NULL THEN
        RAISE EXCEPTION 'points_ledger: %', wrong USING ERRCODE = 'check_violation';
      END IF;
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
