-- The reporting module's rollups (issue 14; db/reports/rollup-sql.ts computes them, domain/reports/
-- figures.ts says what each figure means). A report reads these, never the raw tables row by row.
--
-- report_daily: additive counts per local day (the region's own time zone) and per campaign, offer,
-- team, agent, region, city and channel. '' stands for "none" (an order without a campaign, a call
-- no agent took), so the grain is a plain key.
CREATE TABLE report_daily (
  day              date NOT NULL,
  campaign_id      text NOT NULL,
  offer            text NOT NULL,
  team             text NOT NULL,
  agent_id         text NOT NULL,
  region           text NOT NULL,
  city             text NOT NULL,
  channel          text NOT NULL,
  listed           integer NOT NULL DEFAULT 0,
  dialed           integer NOT NULL DEFAULT 0,
  connected        integer NOT NULL DEFAULT 0,
  accepted         integer NOT NULL DEFAULT 0,
  calls            integer NOT NULL DEFAULT 0,
  connected_calls  integer NOT NULL DEFAULT 0,
  talk_sec         bigint  NOT NULL DEFAULT 0,
  abandoned        integer NOT NULL DEFAULT 0,
  ordered          integer NOT NULL DEFAULT 0,
  delivered        integer NOT NULL DEFAULT 0,
  first_deliveries integer NOT NULL DEFAULT 0,
  first_time_delivered integer NOT NULL DEFAULT 0,
  activated        integer NOT NULL DEFAULT 0,
  activation_days  numeric NOT NULL DEFAULT 0,
  followed_up      integer NOT NULL DEFAULT 0,
  satisfaction_sum integer NOT NULL DEFAULT 0,
  satisfaction_n   integer NOT NULL DEFAULT 0,
  complaints       integer NOT NULL DEFAULT 0,
  lost_90          integer NOT NULL DEFAULT 0
);
CREATE INDEX report_daily_day_idx ON report_daily(day);
CREATE INDEX report_daily_campaign_idx ON report_daily(campaign_id, day);

-- An agent's working day as the dialer saw it: from the start of their first call to the end of
-- their last (the agent hours that "calls and sales per agent hour" divide by).
CREATE TABLE report_agent_days (
  agent_id   text NOT NULL,
  day        date NOT NULL,
  team       text NOT NULL,             -- the agent's team when the day was counted
  first_at   timestamptz NOT NULL,
  last_at    timestamptz NOT NULL,
  calls      integer NOT NULL,
  PRIMARY KEY (agent_id, day)
);
CREATE INDEX report_agent_days_day_idx ON report_agent_days(day);

-- What changed since the rollups were last brought up to date: (campaign, local day) slices, one row
-- per writing statement. Append-only (no unique key), so a write never waits on another's mark;
-- the refresh takes the marks it can see, recomputes those slices and deletes the marks.
CREATE TABLE report_dirty (
  id           bigserial PRIMARY KEY,
  campaign_key text NOT NULL,
  day          date NOT NULL
);

-- The order's agent (the one who took the accepted call) and when its service ended, for the
-- reports: sales per agent, and services still active 90 days after activation.
ALTER TABLE orders ADD COLUMN agent_id text;
ALTER TABLE orders ADD COLUMN deactivated_at timestamptz;
UPDATE orders o SET agent_id = a.agent_id
  FROM (SELECT DISTINCT ON (lead_id) lead_id, agent_id FROM call_attempts
         WHERE purpose = 'sales' AND disposition = 'accepted' ORDER BY lead_id, started_at DESC) a
 WHERE a.lead_id = o.lead_id;

CREATE INDEX call_attempts_started_idx ON call_attempts(campaign_id, started_at) WHERE purpose = 'sales';
CREATE INDEX call_attempts_agent_idx ON call_attempts(agent_id, started_at) WHERE purpose = 'sales' AND agent_id IS NOT NULL;
CREATE INDEX leads_listed_idx ON leads(campaign_id, listed_at);
CREATE INDEX orders_no_campaign_idx ON orders(created_at) WHERE campaign_id IS NULL;

-- Marks, from each writing statement's new rows (transition tables: one insert per statement).
CREATE FUNCTION report_mark_leads() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO report_dirty (campaign_key, day)
  SELECT DISTINCT n.campaign_id, (n.listed_at AT TIME ZONE r.time_zone)::date
    FROM new_rows n JOIN regions r ON r.code = n.region;
  RETURN NULL;
END $$;
CREATE TRIGGER leads_report_insert AFTER INSERT ON leads REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION report_mark_leads();

CREATE FUNCTION report_mark_calls() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO report_dirty (campaign_key, day)
  SELECT DISTINCT n.campaign_id, (n.started_at AT TIME ZONE r.time_zone)::date
    FROM new_rows n JOIN leads l ON l.id = n.lead_id JOIN regions r ON r.code = l.region
   WHERE n.purpose = 'sales';
  RETURN NULL;
END $$;
CREATE TRIGGER call_attempts_report_insert AFTER INSERT ON call_attempts REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION report_mark_calls();
-- An update marks the old rows' days too: a fact that moved to another day leaves the old one.
CREATE FUNCTION report_mark_calls_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO report_dirty (campaign_key, day)
  SELECT DISTINCT n.campaign_id, (n.started_at AT TIME ZONE r.time_zone)::date
    FROM (SELECT * FROM new_rows UNION ALL SELECT * FROM old_rows) n
    JOIN leads l ON l.id = n.lead_id JOIN regions r ON r.code = l.region
   WHERE n.purpose = 'sales';
  RETURN NULL;
END $$;
CREATE TRIGGER call_attempts_report_update AFTER UPDATE ON call_attempts REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION report_mark_calls_update();

CREATE FUNCTION report_mark_orders() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO report_dirty (campaign_key, day)
  SELECT DISTINCT COALESCE(n.campaign_id, ''), (t.at AT TIME ZONE r.time_zone)::date
    FROM new_rows n JOIN regions r ON r.code = n.region
   CROSS JOIN LATERAL (VALUES (n.created_at), (n.delivered_at), (n.activated_at), (n.followed_up_at)) t(at)
   WHERE t.at IS NOT NULL;
  RETURN NULL;
END $$;
CREATE TRIGGER orders_report_insert AFTER INSERT ON orders REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION report_mark_orders();
CREATE FUNCTION report_mark_orders_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO report_dirty (campaign_key, day)
  SELECT DISTINCT COALESCE(n.campaign_id, ''), (t.at AT TIME ZONE r.time_zone)::date
    FROM (SELECT * FROM new_rows UNION ALL SELECT * FROM old_rows) n JOIN regions r ON r.code = n.region
   CROSS JOIN LATERAL (VALUES (n.created_at), (n.delivered_at), (n.activated_at), (n.followed_up_at)) t(at)
   WHERE t.at IS NOT NULL;
  RETURN NULL;
END $$;
CREATE TRIGGER orders_report_update AFTER UPDATE ON orders REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION report_mark_orders_update();

CREATE FUNCTION report_mark_deliveries() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO report_dirty (campaign_key, day)
  SELECT DISTINCT COALESCE(o.campaign_id, ''), (n.outcome_at AT TIME ZONE r.time_zone)::date
    FROM new_rows n JOIN orders o ON o.id = n.order_id JOIN regions r ON r.code = o.region
   WHERE n.outcome_at IS NOT NULL AND n.attempt = 1;
  RETURN NULL;
END $$;
CREATE TRIGGER deliveries_report_update AFTER UPDATE ON deliveries REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION report_mark_deliveries();
CREATE TRIGGER deliveries_report_insert AFTER INSERT ON deliveries REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION report_mark_deliveries();

CREATE FUNCTION report_mark_complaints() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO report_dirty (campaign_key, day)
  SELECT DISTINCT COALESCE(n.campaign_id, ''), (n.at AT TIME ZONE r.time_zone)::date
    FROM new_rows n JOIN orders o ON o.id = n.order_id JOIN regions r ON r.code = o.region;
  RETURN NULL;
END $$;
CREATE TRIGGER complaints_report_insert AFTER INSERT ON complaints REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION report_mark_complaints();

-- Everything written before this migration is one mark per campaign and day to bring up.
INSERT INTO report_dirty (campaign_key, day)
SELECT DISTINCT l.campaign_id, (l.listed_at AT TIME ZONE r.time_zone)::date FROM leads l JOIN regions r ON r.code = l.region
UNION SELECT DISTINCT a.campaign_id, (a.started_at AT TIME ZONE r.time_zone)::date
  FROM call_attempts a JOIN leads l ON l.id = a.lead_id JOIN regions r ON r.code = l.region WHERE a.purpose = 'sales'
UNION SELECT DISTINCT COALESCE(o.campaign_id, ''), (t.at AT TIME ZONE r.time_zone)::date
  FROM orders o JOIN regions r ON r.code = o.region
 CROSS JOIN LATERAL (VALUES (o.created_at), (o.delivered_at), (o.activated_at), (o.followed_up_at)) t(at) WHERE t.at IS NOT NULL
UNION SELECT DISTINCT COALESCE(o.campaign_id, ''), (d.outcome_at AT TIME ZONE r.time_zone)::date
  FROM deliveries d JOIN orders o ON o.id = d.order_id JOIN regions r ON r.code = o.region WHERE d.outcome_at IS NOT NULL
UNION SELECT DISTINCT COALESCE(o.campaign_id, ''), (k.at AT TIME ZONE r.time_zone)::date
  FROM complaints k JOIN orders o ON o.id = k.order_id JOIN regions r ON r.code = o.region;
