-- Sales points (issue 15, seed 002; docs/sales-points.md): every sale credited to the person who
-- made it, matched against billing's list of active subscriptions at month end, approved by
-- finance and then closed for good.
--
-- Months are the first day of a calendar month in the operator's time zone (OPERATOR_TIME_ZONE).

-- The organisation: departments (营业部) hold areas (营业区域), areas hold outlets (营业厅); an
-- outlet is the operator's own or a partner's. The call centre is an own outlet like any other.
CREATE TABLE sales_org_units (
  code        text PRIMARY KEY CHECK (code ~ '^[a-z0-9][a-z0-9-]{0,39}$'),
  kind        text NOT NULL CHECK (kind IN ('department', 'area', 'outlet')),
  name        text NOT NULL,
  parent      text REFERENCES sales_org_units(code),
  channel     text CHECK (channel IN ('own', 'partner')),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  CHECK ((kind = 'department') = (parent IS NULL)),
  CHECK ((kind = 'outlet') = (channel IS NOT NULL))
);

-- Staff (营业员) by their staff id (工号). An agent of the call centre earns points when a staff
-- record carries the agent's id. bank_account_ref names the account the payout goes to (a
-- reference the bank file understands, not the account number).
CREATE TABLE staff (
  id                text PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$'),
  name              text NOT NULL,
  outlet            text NOT NULL REFERENCES sales_org_units(code),
  bank_account_ref  text,
  active            boolean NOT NULL DEFAULT true,
  updated_by        text NOT NULL,
  updated_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX staff_outlet_idx ON staff(outlet);

-- The service catalogue. code is the code orders carry (orders.offer_code) and billing's export
-- carries (service_code). A service is added and retired by the API, never by a code change.
CREATE TABLE sales_services (
  code        text PRIMARY KEY CHECK (code ~ '^[a-z0-9][a-z0-9-]{1,39}$'),
  name        text NOT NULL,
  retired_on  date,                 -- no sale is recorded on or after this day
  updated_by  text NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now()
);

-- A service's terms from a day on: its monthly tariff, the points a matched sale earns, and
-- whether it earns only once billing shows usage (热装冷用). A change is a new row; the earlier
-- ones stay, and a sale earns the terms in force on the day it was made.
CREATE TABLE sales_service_terms (
  service_code    text NOT NULL REFERENCES sales_services(code),
  effective_from  date NOT NULL,
  monthly_tariff  numeric(10,2) NOT NULL CHECK (monthly_tariff >= 0),
  points          numeric(10,2) NOT NULL CHECK (points >= 0),
  requires_usage  boolean NOT NULL DEFAULT false,
  reason          text,             -- why, when points are outside the configured band of the tariff
  set_by          text NOT NULL,
  set_at          timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (service_code, effective_from)
);

-- The rules finance sets (one row): what a complaint deducts, the band points should keep to, the
-- yuan a point pays, how long a closed sale can still be clawed back and an unused one wait for
-- usage, when an unapproved month escalates, and where alerts are posted.
CREATE TABLE sales_points_settings (
  id                                boolean PRIMARY KEY DEFAULT true CHECK (id),
  complaint_points                  numeric(10,2) NOT NULL DEFAULT -2 CHECK (complaint_points <= 0),
  band_low                          numeric(5,4) NOT NULL DEFAULT 0.20,
  band_high                         numeric(5,4) NOT NULL DEFAULT 0.30,
  yuan_per_point                    numeric(10,4) NOT NULL DEFAULT 1 CHECK (yuan_per_point > 0),
  clawback_months                   integer NOT NULL DEFAULT 3 CHECK (clawback_months BETWEEN 0 AND 24),
  usage_wait_months                 integer NOT NULL DEFAULT 3 CHECK (usage_wait_months BETWEEN 0 AND 24),
  approval_escalate_after_seconds   integer NOT NULL DEFAULT 259200 CHECK (approval_escalate_after_seconds > 0),
  alert_webhook_url                 text,
  updated_by                        text NOT NULL DEFAULT 'migration',
  updated_at                        timestamptz NOT NULL DEFAULT now(),
  CHECK (band_low <= band_high)
);
INSERT INTO sales_points_settings DEFAULT VALUES;

-- The staff member an order from another channel names (POST /orders staffId); an outbound order's
-- seller is the agent who took the accepted call (orders.agent_id).
ALTER TABLE orders ADD COLUMN staff_id text;

-- A sale: one per number, service and month (the seed's rule; a second is refused, naming the first
-- one's owner). The organisation is written as it was at the sale, so a move later changes nothing.
CREATE TABLE sales_entries (
  id            bigserial PRIMARY KEY,
  month         date NOT NULL,
  service_code  text NOT NULL REFERENCES sales_services(code),
  msisdn        text NOT NULL,
  customer_id   bigint,
  staff_id      text NOT NULL REFERENCES staff(id),
  outlet        text NOT NULL,
  area          text NOT NULL,
  department    text NOT NULL,
  channel       text NOT NULL CHECK (channel IN ('own', 'partner')),
  sale_channel  text NOT NULL,      -- outbound, hotline, shop, web, followup, field: how it was sold
  source        text NOT NULL CHECK (source IN ('order', 'staff', 'csv')),
  order_id      text UNIQUE REFERENCES orders(id),
  campaign_id   text,
  sold_at       timestamptz NOT NULL,
  recorded_by   text NOT NULL,
  recorded_at   timestamptz NOT NULL DEFAULT now(),
  UNIQUE (msisdn, service_code, month)
);
CREATE INDEX sales_entries_month_idx ON sales_entries(month, staff_id);
CREATE INDEX sales_entries_staff_idx ON sales_entries(staff_id, month);

-- Billing's list of the subscriptions active and paid in a month, as imported (COPY; a file is
-- used whole or not at all). A month may be imported again; its run uses the latest import.
CREATE TABLE billing_imports (
  id           bigserial PRIMARY KEY,
  month        date NOT NULL,
  source       text NOT NULL CHECK (source IN ('bss-export', 'upload')),
  file_name    text,
  sha256       text NOT NULL,
  encoding     text NOT NULL,
  rows         integer NOT NULL,
  imported_by  text NOT NULL,
  imported_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX billing_imports_month_idx ON billing_imports(month, id DESC);

-- No foreign key and no index beyond the one below: COPY writes millions of rows and the
-- reconciliation reads one import whole, by a hash join.
CREATE TABLE billing_lines (
  import_id     bigint NOT NULL,
  msisdn        text NOT NULL,
  service_code  text NOT NULL,
  activated_on  date NOT NULL,
  cancelled_on  date,
  used          boolean NOT NULL
);
CREATE INDEX billing_lines_import_idx ON billing_lines(import_id);

-- A month's reconciliation: its import, the settings it ran with, its totals; approved, the month is
-- closed and nothing of it changes again.
CREATE TABLE sales_point_runs (
  month          date PRIMARY KEY,
  status         text NOT NULL CHECK (status IN ('importing', 'reconciled', 'closed')),
  import_id      bigint REFERENCES billing_imports(id),
  settings       jsonb,
  totals         jsonb,
  reconciled_at  timestamptz,
  escalated_at   timestamptz,
  approved_by    text,
  approved_at    timestamptz,
  started_at     timestamptz NOT NULL DEFAULT now()
);

-- What billing said of each sale of the month: matched (earns), awaiting usage (earns once billing
-- shows it used), or unmatched with the reason.
CREATE TABLE sales_matches (
  entry_id      bigint PRIMARY KEY REFERENCES sales_entries(id),
  month         date NOT NULL,
  outcome       text NOT NULL CHECK (outcome IN ('matched', 'awaiting-usage', 'unmatched')),
  reason        text CHECK (reason IN ('not-in-billing', 'activated-elsewhere-first', 'cancelled-before-month-end')),
  detail        text,
  activated_on  date,
  CHECK ((outcome = 'unmatched') = (reason IS NOT NULL))
);
CREATE INDEX sales_matches_month_idx ON sales_matches(month, outcome);

-- Every point earned or lost is a row: a matched sale, a credit once usage shows, a complaint, a
-- clawback naming the credit it takes back, a dispute's adjustment, the budget policy's cut or
-- carry. run_month: the reconciliation that wrote it (null: a person's decision), so running a
-- month again replaces exactly its own rows.
CREATE TABLE points_ledger (
  id                 bigserial PRIMARY KEY,
  month              date NOT NULL,
  run_month          date,
  staff_id           text NOT NULL REFERENCES staff(id),
  kind               text NOT NULL CHECK (kind IN ('sale', 'usage-credit', 'complaint', 'clawback', 'adjustment', 'budget-cut', 'carried-over', 'carried-in')),
  points             numeric(12,2) NOT NULL,
  entry_id           bigint REFERENCES sales_entries(id),
  complaint_order_id text,
  refers_to          bigint REFERENCES points_ledger(id),
  dispute_id         bigint,
  service_code       text,
  outlet             text NOT NULL,
  area               text NOT NULL,
  department         text NOT NULL,
  reason             text NOT NULL,
  created_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX points_ledger_month_idx ON points_ledger(month, staff_id);
CREATE INDEX points_ledger_run_idx ON points_ledger(run_month);
CREATE INDEX points_ledger_entry_idx ON points_ledger(entry_id) WHERE entry_id IS NOT NULL;
CREATE UNIQUE INDEX points_ledger_clawback_idx ON points_ledger(refers_to) WHERE kind = 'clawback';

-- A staff member's dispute of an unmatched sale; finance accepts (an adjustment in the next open
-- month) or declines, with a reason.
CREATE TABLE sales_disputes (
  id               bigserial PRIMARY KEY,
  entry_id         bigint NOT NULL REFERENCES sales_entries(id),
  staff_id         text NOT NULL REFERENCES staff(id),
  comment          text NOT NULL,
  status           text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'accepted', 'declined')),
  opened_at        timestamptz NOT NULL DEFAULT now(),
  decided_by       text,
  decision_reason  text,
  decided_at       timestamptz,
  ledger_id        bigint REFERENCES points_ledger(id)
);
CREATE UNIQUE INDEX sales_disputes_live_idx ON sales_disputes(entry_id) WHERE status IN ('open', 'accepted');

-- A points budget per month for an area or a department, and what happens past it.
CREATE TABLE points_budgets (
  month           date NOT NULL,
  scope_kind      text NOT NULL CHECK (scope_kind IN ('area', 'department')),
  scope_code      text NOT NULL REFERENCES sales_org_units(code),
  points          numeric(12,2) NOT NULL CHECK (points > 0),
  overrun_policy  text NOT NULL CHECK (overrun_policy IN ('pay-and-flag', 'pro-rate', 'carry-over')),
  set_by          text NOT NULL,
  set_at          timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (month, scope_kind, scope_code)
);

-- Alerts a person should see (the dashboard, GET /alerts) and a configured address is sent: raised
-- once per kind, subject and level.
CREATE TABLE alerts (
  id                 bigserial PRIMARY KEY,
  kind               text NOT NULL,
  subject            text NOT NULL,
  level              text NOT NULL,
  message            text NOT NULL,
  raised_at          timestamptz NOT NULL DEFAULT now(),
  delivered_at       timestamptz,
  delivery_attempts  integer NOT NULL DEFAULT 0,
  last_error         text,
  acknowledged_by    text,
  acknowledged_at    timestamptz,
  UNIQUE (kind, subject, level)
);
CREATE INDEX alerts_undelivered_idx ON alerts(raised_at) WHERE delivered_at IS NULL;

-- Sales contests: a period, a metric, a scope and its prizes; standings are read live.
CREATE TABLE sales_contests (
  id          text PRIMARY KEY CHECK (id ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
  name        text NOT NULL,
  from_day    date NOT NULL,
  to_day      date NOT NULL,
  metric      text NOT NULL CHECK (metric IN ('points', 'sales', 'matched-sales')),
  scope_kind  text NOT NULL CHECK (scope_kind IN ('all', 'department', 'area', 'outlet')),
  scope_code  text,
  prizes      jsonb NOT NULL DEFAULT '[]',
  created_by  text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  CHECK (from_day <= to_day),
  CHECK ((scope_kind = 'all') = (scope_code IS NULL))
);

-- A closed month never changes: its sales, matches and points refuse every write. Statement-level
-- (one check over the rows a statement touched), so a reconciliation writing 200k rows pays once.
CREATE FUNCTION sales_refuse_closed_month() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  closed date;
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    SELECT r.month INTO closed FROM old_rows o JOIN sales_point_runs r ON r.month = o.month AND r.status = 'closed' LIMIT 1;
  END IF;
  IF closed IS NULL AND TG_OP IN ('INSERT', 'UPDATE') THEN
    SELECT r.month INTO closed FROM new_rows n JOIN sales_point_runs r ON r.month = n.month AND r.status = 'closed' LIMIT 1;
  END IF;
  IF closed IS NOT NULL THEN
    RAISE EXCEPTION 'sales points month % is closed', to_char(closed, 'YYYY-MM')
      USING ERRCODE = 'check_violation', HINT = 'a closed month never changes; an adjustment goes into an open month';
  END IF;
  RETURN NULL;
END $$;
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['sales_entries', 'sales_matches', 'points_ledger'] LOOP
    EXECUTE format('CREATE TRIGGER %1$s_closed_insert AFTER INSERT ON %1$s REFERENCING NEW TABLE AS new_rows
                      FOR EACH STATEMENT EXECUTE FUNCTION sales_refuse_closed_month()', t);
    EXECUTE format('CREATE TRIGGER %1$s_closed_update AFTER UPDATE ON %1$s REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
                      FOR EACH STATEMENT EXECUTE FUNCTION sales_refuse_closed_month()', t);
    EXECUTE format('CREATE TRIGGER %1$s_closed_delete AFTER DELETE ON %1$s REFERENCING OLD TABLE AS old_rows
                      FOR EACH STATEMENT EXECUTE FUNCTION sales_refuse_closed_month()', t);
  END LOOP;
END $$;
