-- The month-end reconciliation (docs/sales-points.md) writes a row per sale into sales_matches
-- and points_ledger and, run again, deletes them first: 200k sales meant ~800k foreign-key checks,
-- each a query of its own (a row trigger), which took longer than the whole matching. The same
-- references are kept here, checked once per statement instead: an anti-join of the statement's
-- rows (a transition table) against the table they refer to.

ALTER TABLE sales_matches DROP CONSTRAINT sales_matches_entry_id_fkey;
ALTER TABLE points_ledger DROP CONSTRAINT points_ledger_staff_id_fkey,
                          DROP CONSTRAINT points_ledger_entry_id_fkey,
                          DROP CONSTRAINT points_ledger_refers_to_fkey;
ALTER TABLE sales_disputes DROP CONSTRAINT sales_disputes_ledger_id_fkey;

-- A clawback names the credit it takes back; a dispute its adjustment: found by these when a row
-- is deleted (the clawback index is partial, so it cannot serve).
CREATE INDEX points_ledger_refers_to_idx ON points_ledger(refers_to) WHERE refers_to IS NOT NULL;
CREATE INDEX sales_disputes_ledger_idx ON sales_disputes(ledger_id) WHERE ledger_id IS NOT NULL;

CREATE FUNCTION sales_points_missing_reference(what text, ref text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% refers to % that does not exist', what, ref USING ERRCODE = 'foreign_key_violation';
END $$;

-- Rows written: what they refer to exists.
CREATE FUNCTION sales_points_check_references() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  bad text;
BEGIN
  IF TG_TABLE_NAME = 'points_ledger' THEN
    SELECT 'staff ' || n.staff_id INTO bad FROM new_rows n WHERE NOT EXISTS (SELECT 1 FROM staff s WHERE s.id = n.staff_id) LIMIT 1;
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

-- Rows deleted (or their key changed): nothing still refers to them. Only the keys gone from the
-- table are looked for, so an update that keeps its keys (a staff member's name) costs one probe a row.
CREATE FUNCTION sales_points_check_referrers() RETURNS trigger LANGUAGE plpgsql AS $$
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
      SELECT 'sales_matches row (sale ' || m.entry_id || ')' INTO bad FROM sales_matches m WHERE m.entry_id = ANY(gone::bigint[]) LIMIT 1;
    END IF;
  END IF;
  IF bad IS NOT NULL THEN
    RAISE EXCEPTION '% is still referred to by %', TG_TABLE_NAME, bad USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER points_ledger_references_insert AFTER INSERT ON points_ledger REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION sales_points_check_references();
CREATE TRIGGER points_ledger_references_update AFTER UPDATE ON points_ledger REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION sales_points_check_references();
CREATE TRIGGER sales_matches_references_insert AFTER INSERT ON sales_matches REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION sales_points_check_references();
CREATE TRIGGER sales_matches_references_update AFTER UPDATE ON sales_matches REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION sales_points_check_references();
CREATE TRIGGER sales_disputes_references_insert AFTER INSERT ON sales_disputes REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION sales_points_check_references();
CREATE TRIGGER sales_disputes_references_update AFTER UPDATE ON sales_disputes REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION sales_points_check_references();

CREATE TRIGGER points_ledger_referrers_delete AFTER DELETE ON points_ledger REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION sales_points_check_referrers();
CREATE TRIGGER points_ledger_referrers_update AFTER UPDATE ON points_ledger REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION sales_points_check_referrers();
CREATE TRIGGER staff_referrers_delete AFTER DELETE ON staff REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION sales_points_check_referrers();
CREATE TRIGGER staff_referrers_update AFTER UPDATE ON staff REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION sales_points_check_referrers();
CREATE TRIGGER sales_entries_referrers_delete AFTER DELETE ON sales_entries REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION sales_points_check_referrers();
CREATE TRIGGER sales_entries_referrers_update AFTER UPDATE ON sales_entries REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION sales_points_check_referrers();
