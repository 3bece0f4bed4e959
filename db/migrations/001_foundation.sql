-- Foundation schema: customers (the operator's customer base), campaigns, their leads and call
-- attempts, orders with their state history and deliveries. One file per change; never edit a
-- migration that has landed, add the next one.

CREATE TABLE regions (
  code       text PRIMARY KEY,          -- e.g. 'gd' (Guangdong)
  name       text NOT NULL,
  time_zone  text NOT NULL              -- IANA zone; calling windows are in the lead's local time
);

CREATE TABLE customers (
  id                 bigint PRIMARY KEY,
  msisdn             text NOT NULL,       -- 11-digit mobile number; may be invalid in raw data
  name               text NOT NULL,
  region             text NOT NULL REFERENCES regions(code),
  city               text NOT NULL,
  plan               text NOT NULL,       -- tariff plan code
  in_network         boolean NOT NULL,    -- in-network customer (upsell) vs prospect (acquisition)
  tenure_months      integer NOT NULL,
  spend_last_month   numeric(10,2) NOT NULL,
  spend_prev_month   numeric(10,2) NOT NULL,
  contract_end       date,                -- null: no contract
  complaints_90d     integer NOT NULL,
  arrears            numeric(10,2) NOT NULL DEFAULT 0,
  dnc                boolean NOT NULL DEFAULT false,  -- customer asked not to be called
  address            text NOT NULL,
  services           text[] NOT NULL DEFAULT '{}'     -- offer codes the customer already owns
);
CREATE INDEX customers_region_idx ON customers(region);
CREATE INDEX customers_msisdn_idx ON customers(msisdn);

-- The global do-not-call register (numbers, whoever owns them).
CREATE TABLE dnc_numbers (
  msisdn     text PRIMARY KEY,
  reason     text NOT NULL DEFAULT 'customer request',
  added_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE campaigns (
  id               text PRIMARY KEY,
  idempotency_key  text UNIQUE,
  name             text NOT NULL,
  definition       jsonb NOT NULL,
  status           text NOT NULL,
  workflow_id      text NOT NULL,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE leads (
  id               bigserial PRIMARY KEY,
  campaign_id      text NOT NULL REFERENCES campaigns(id),
  customer_id      bigint NOT NULL REFERENCES customers(id),
  msisdn           text NOT NULL,
  region           text NOT NULL,
  -- pending: due for a call · dialing: a call is in flight · done: no further attempt
  -- · released: the campaign ended before the lead was finished
  state            text NOT NULL DEFAULT 'pending',
  attempts         integer NOT NULL DEFAULT 0,
  next_attempt_at  timestamptz NOT NULL DEFAULT now(),
  last_disposition text,
  claim_id         text,                 -- the workflow claim that took it, for idempotent claims
  UNIQUE (campaign_id, customer_id),
  UNIQUE (campaign_id, msisdn)
);
CREATE INDEX leads_due_idx ON leads(campaign_id, state, next_attempt_at);

-- One row per call placed (sales calls and follow-up calls). The id is the dialer's call id, so a
-- retried activity or a repeated webhook lands on the same row.
CREATE TABLE call_attempts (
  id            text PRIMARY KEY,
  purpose       text NOT NULL,            -- 'sales' | 'followup'
  campaign_id   text NOT NULL,
  lead_id       bigint,
  order_id      text,
  attempt_no    integer NOT NULL,
  task_token    bytea,                    -- the waiting activity, completed by the dialer webhook
  disposition   text,
  connected     boolean,
  duration_sec  integer,
  callback_at   timestamptz,
  satisfaction  integer,
  complaint     boolean,
  started_at    timestamptz NOT NULL DEFAULT now(),
  ended_at      timestamptz
);
CREATE INDEX call_attempts_campaign_idx ON call_attempts(campaign_id, lead_id);

CREATE TABLE orders (
  id                 text PRIMARY KEY,
  campaign_id        text NOT NULL REFERENCES campaigns(id),
  lead_id            bigint NOT NULL UNIQUE REFERENCES leads(id),
  customer_id        bigint NOT NULL REFERENCES customers(id),
  region             text NOT NULL,
  offer_code         text NOT NULL,
  status             text NOT NULL,      -- TMF622: acknowledged, inProgress, held, completed, failed, cancelled
  stage              text NOT NULL,      -- what the order is doing now: delivery, activation, followUp, done
  address            text NOT NULL,
  delivery_attempts  integer NOT NULL DEFAULT 0,
  delivered_at       timestamptz,
  activated_at       timestamptz,
  activation_ref     text,
  followed_up_at     timestamptz,
  followup_result    text,               -- 'reached' | 'unreached'
  satisfaction       integer,
  complaint          boolean,
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX orders_campaign_idx ON orders(campaign_id, status);

CREATE TABLE order_events (
  id        bigserial PRIMARY KEY,
  order_id  text NOT NULL REFERENCES orders(id),
  at        timestamptz NOT NULL DEFAULT now(),
  status    text NOT NULL,
  stage     text NOT NULL,
  reason    text NOT NULL,
  -- the workflow's own key for this transition, so a retried activity records it once
  event_key text NOT NULL,
  UNIQUE (order_id, event_key)
);

CREATE TABLE deliveries (
  id          text PRIMARY KEY,           -- '<orderId>-d<attempt>', the courier's booking key
  order_id    text NOT NULL REFERENCES orders(id),
  attempt     integer NOT NULL,
  address     text NOT NULL,
  slot        timestamptz,
  outcome     text,
  outcome_at  timestamptz,
  amount_collected numeric(10,2),
  booked_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX deliveries_order_idx ON deliveries(order_id);
