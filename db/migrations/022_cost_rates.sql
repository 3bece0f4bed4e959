-- Cost and return on investment (issue 14; domain/reports/roi.ts, db/reports/roi-sql.ts).
--
-- A cost rate in yuan, effective from its day until a later one of the same category and scope:
-- a change applies from its date and the earlier rates stay, so a past month is costed at the
-- rates of its own days. scope narrows a rate to a team (agent-hour), a courier
-- (delivery-attempt) or an item (goods-item); '' is the rate for all the others.
CREATE TABLE cost_rates (
  category        text NOT NULL CHECK (category IN ('agent-hour', 'connected-minute', 'placed-call', 'delivery-attempt', 'goods-item', 'sales-point')),
  scope           text NOT NULL DEFAULT '',
  effective_from  date NOT NULL,
  amount          numeric(12,4) NOT NULL CHECK (amount >= 0),
  set_by          text NOT NULL,
  set_at          timestamptz NOT NULL DEFAULT now(),
  note            text,
  PRIMARY KEY (category, scope, effective_from)
);

-- The offer's monthly price as the order was sold (revenue = activated orders × price × months).
ALTER TABLE orders ADD COLUMN monthly_price numeric(10,2);
UPDATE orders o SET monthly_price = (c.definition->'offer'->>'price')::numeric
  FROM campaigns c WHERE c.id = o.campaign_id AND c.definition->'offer'->>'price' IS NOT NULL;

-- The money the ROI report reads from the tables by day (deliveries, goods shipped, refunds).
CREATE INDEX stock_reservations_shipped_idx ON stock_reservations(updated_at) WHERE state = 'shipped';
CREATE INDEX deliveries_outcome_idx ON deliveries(outcome_at) WHERE outcome_at IS NOT NULL;
CREATE INDEX payments_refund_idx ON payments(at) WHERE kind = 'refund';

-- The rate of a category for a scope on a day: the scope's own rate if it has one, else the
-- general one ('' scope); of those, the latest effective on that day. Null: no rate set.
CREATE FUNCTION cost_rate(p_category text, p_scope text, p_day date) RETURNS numeric LANGUAGE sql STABLE AS $$
  SELECT amount FROM cost_rates
   WHERE category = p_category AND scope IN (COALESCE(p_scope, ''), '') AND effective_from <= p_day
   ORDER BY scope <> '' DESC, effective_from DESC LIMIT 1
$$;
