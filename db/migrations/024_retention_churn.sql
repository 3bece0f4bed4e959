-- "Still active 90 days later" also knows a customer who left the network (customers.churned_at,
-- migration 019): a churn recorded marks the activation days of that customer's orders, so the
-- rollups count those orders as lost (db/reports/rollup-sql.ts).
CREATE FUNCTION report_mark_churn() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO report_dirty (campaign_key, day)
  SELECT DISTINCT COALESCE(o.campaign_id, ''), (o.activated_at AT TIME ZONE r.time_zone)::date
    FROM new_rows n JOIN old_rows p ON p.id = n.id
    JOIN orders o ON o.customer_id = n.id JOIN regions r ON r.code = o.region
   WHERE n.churned_at IS DISTINCT FROM p.churned_at AND o.activated_at IS NOT NULL;
  RETURN NULL;
END $$;
CREATE TRIGGER customers_report_churn AFTER UPDATE ON customers REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION report_mark_churn();
CREATE INDEX IF NOT EXISTS orders_customer_idx ON orders(customer_id);
