-- A month's matched sales credited by one ledger row per staff member, service, place, channel and
-- terms (docs/sales-points.md, "The ledger"), naming the sales it credits (entry_ids), in place of a
-- row per sale: a month's 170,000 rows and their indexes and checks took a third of the month end
-- (issue 15's benchmark, docs/benchmarks.md); some 1,800 rows take a fifteenth of that. Nothing is
-- lost: points_ledger_by_sale gives every credit, clawback and adjustment once per sale, and a
-- clawback takes back one sale of a row (refers_to, entry_id). Rows written before stay as they are
-- (one per sale); every reader takes both.

ALTER TABLE points_ledger
  ADD COLUMN entry_ids bigint[],
  -- the sales' channel (own or partner outlet), which a grouped row's missing entry_id no longer gives
  ADD COLUMN channel text,
  -- a month's sales credit, written by its month's run (so replaced whole by its next run), whose
  -- points its sales share in whole cents
  ADD CONSTRAINT points_ledger_grouped_sales CHECK (
    entry_ids IS NULL OR (kind = 'sale' AND entry_id IS NULL AND run_month = month AND cardinality(entry_ids) > 0
                          AND array_position(entry_ids, NULL) IS NULL AND (points * 100) % cardinality(entry_ids) = 0)),
  -- a clawback takes back one sale's credit: it names the sale
  ADD CONSTRAINT points_ledger_clawback_sale CHECK (kind <> 'clawback' OR entry_id IS NOT NULL);

-- No index on entry_ids: a grouped row is written by its month's reconciliation only, of its sales'
-- month and staff member, and its readers find it by those (a GIN index on the sales cost the month
-- end a fifth of writing the rows): a later month's run asking whether a sale earned its credit.
CREATE INDEX points_ledger_grouped_idx ON points_ledger (staff_id, month) WHERE entry_ids IS NOT NULL;

-- A credit is clawed back once per sale it credited: a grouped row's sales one by one.
DROP INDEX points_ledger_clawback_idx;
CREATE UNIQUE INDEX points_ledger_clawback_idx ON points_ledger(refers_to, entry_id) WHERE kind = 'clawback';

-- Every ledger row that concerns a sale, once per sale: the rows that name one (entry_id) as they
-- are, and a grouped row once for each sale it credits, with that sale's share (the group's sales
-- share their terms, so the points divide exactly).
CREATE VIEW points_ledger_by_sale AS
SELECT id, month, run_month, staff_id, kind, points, entry_id, refers_to, dispute_id, service_code, outlet, area, department, reason
  FROM points_ledger WHERE entry_id IS NOT NULL
UNION ALL
SELECT l.id, l.month, l.run_month, l.staff_id, l.kind, (l.points / cardinality(l.entry_ids))::numeric(12,2), s.entry_id, l.refers_to,
       l.dispute_id, l.service_code, l.outlet, l.area, l.department, l.reason
  FROM points_ledger l CROSS JOIN LATERAL unnest(l.entry_ids) AS s(entry_id)
 WHERE l.entry_ids IS NOT NULL;

-- The references of migration 029, and a grouped row's sales: they exist, each once among the
-- statement's grouped rows (a run writes a month's in one statement); a clawback's sale is one its row credited.
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
      -- a sale twice among the statement's grouped credits: a sale is credited once
      SELECT 'sale ' || s.entry_id || ' is in two of its month''s sales credits' INTO wrong
        FROM new_rows n CROSS JOIN LATERAL unnest(n.entry_ids) AS s(entry_id)
       WHERE n.entry_ids IS NOT NULL GROUP BY s.entry_id HAVING count(*) > 1 LIMIT 1;
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

-- The referrers of migration 028, and a sale a grouped row credits: not deleted.
CREATE OR REPLACE FUNCTION sales_points_check_referrers() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  gone text[];
  bad text;
BEGIN
  IF TG_TABLE_NAME = 'staff' THEN
    SELECT array_agg(o.id) INTO gone FROM old_rows o WHERE NOT EXISTS (SELECT 1 FROM staff s WHERE s.id = o.id);
    IF gone IS NULL THEN RETURN NULL; END IF;
    SELECT 'points_ledger row ' || l.id || ' (staff ' || l.staff_id || ')' INTO bad FROM points_ledger l WHERE l.staff_id = ANY(gone) LIMIT 1;
  ELSIF TG_TABLE_NAME = 'points_ledger' THEN
    SELECT array_agg(o.id::text) INTO gone FROM old_rows o WHERE NOT EXISTS (SELECT 1 FROM points_ledger l WHERE l.id = o.id);
    IF gone IS NULL THEN RETURN NULL; END IF;
    SELECT 'points_ledger row ' || l.id || ' (ledger row ' || l.refers_to || ')' INTO bad
      FROM points_ledger l WHERE l.refers_to = ANY(gone::bigint[]) LIMIT 1;
    IF bad IS NULL THEN
      SELECT 'sales_disputes row ' || d.id || ' (ledger row ' || d.ledger_id || ')' INTO bad
        FROM sales_disputes d WHERE d.ledger_id = ANY(gone::bigint[]) LIMIT 1;
    END IF;
  ELSE -- sales_entries
    SELECT array_agg(o.id::text) INTO gone FROM old_rows o WHERE NOT EXISTS (SELECT 1 FROM sales_entries e WHERE e.id = o.id);
    IF gone IS NULL THEN RETURN NULL; END IF;
    SELECT 'points_ledger row ' || l.id || ' (sale ' || l.entry_id || ')' INTO bad FROM points_ledger l WHERE l.entry_id = ANY(gone::bigint[]) LIMIT 1;
    IF bad IS NULL THEN
      -- (every grouped row is read: a sale is deleted by hand, if ever, never by the application)
      SELECT 'points_ledger row ' || l.id || ' (sale ' || (SELECT min(s) FROM unnest(l.entry_ids) s WHERE s = ANY(gone::bigint[])) || ')' INTO bad
        FROM points_ledger l WHERE l.entry_ids IS NOT NULL AND l.entry_ids && gone::bigint[] LIMIT 1;
    END IF;
    IF bad IS NULL THEN
      SELECT 'sales_matches row (sale ' || m.entry_id || ')' INTO bad FROM sales_matches m WHERE m.entry_id = ANY(gone::bigint[]) LIMIT 1;
    END IF;
  END IF;
  IF bad IS NOT NULL THEN
    RAISE EXCEPTION '% is still referred to by %', TG_TABLE_NAME, bad USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN NULL;
END $$;
