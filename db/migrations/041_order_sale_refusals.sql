-- An order whose seller would have made a second entry of a number, service and month (the
-- one-entry rule, migration 025) makes none, and the order goes on; what was refused is kept here
-- with the reason and whose entry came first, as POST /sales and the sales CSV answer it (issue 15).
-- The seller reads theirs, finance everyone's: GET /sales/refusals. Ids only, no number.
CREATE TABLE sales_entry_refusals (
  order_id       text PRIMARY KEY REFERENCES orders(id),
  month          date NOT NULL CHECK (month = date_trunc('month', month)::date),
  service_code   text NOT NULL,
  staff_id       text NOT NULL REFERENCES staff(id),
  first_entry_id bigint NOT NULL REFERENCES sales_entries(id),
  reason         text NOT NULL,
  at             timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sales_entry_refusals_staff_idx ON sales_entry_refusals (staff_id, month);
CREATE INDEX sales_entry_refusals_month_idx ON sales_entry_refusals (month);
