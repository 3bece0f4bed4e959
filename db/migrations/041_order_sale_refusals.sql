-- An order whose seller would have made a second entry of a number, service and month (the
-- one-entry rule, migration 025) makes none, and the order goes on; what was refused is kept here,
-- naming the entry that came first: GET /sales/refusals answers it with the reason and that entry's
-- owner, as POST /sales and the sales CSV do (issue 15). Ids only: no number, no name.
CREATE TABLE sales_entry_refusals (
  order_id       text PRIMARY KEY REFERENCES orders(id),
  month          date NOT NULL CHECK (month = date_trunc('month', month)::date),
  service_code   text NOT NULL,
  staff_id       text NOT NULL REFERENCES staff(id),
  first_entry_id bigint NOT NULL REFERENCES sales_entries(id),
  at             timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sales_entry_refusals_staff_idx ON sales_entry_refusals (staff_id, month);
CREATE INDEX sales_entry_refusals_month_idx ON sales_entry_refusals (month);
