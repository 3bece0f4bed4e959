-- Hotline marketing, the decisioning core (issue 16, seed 003; docs/hotline.md): every inbound
-- service call (or self-service visit) is an interaction; the next best offers recommended in it
-- are ranked by propensity × value × lever, answered with a script for the customer's brand, and
-- every outcome fed back into the propensities.

-- An interaction: one inbound call (call_id, the dialer's id) or one self-service visit. Ids only
-- ever travel to Temporal; the customer's personal data stays here and is shown masked.
CREATE TABLE hotline_interactions (
  id               bigserial PRIMARY KEY,
  call_id          text UNIQUE,
  channel          text NOT NULL CHECK (channel IN ('call', 'ivr', 'sms', 'app', 'web')),
  customer_id      bigint NOT NULL REFERENCES customers(id),
  reason           text CHECK (reason IN ('bill-query', 'plan-question', 'fault', 'complaint', 'other')),
  team             text,
  agent_id         text,
  -- queued: waiting for an agent · open: under way · ended · abandoned: the caller hung up first
  status           text NOT NULL DEFAULT 'open' CHECK (status IN ('queued', 'open', 'ended', 'abandoned')),
  started_at       timestamptz NOT NULL DEFAULT now(),
  answered_at      timestamptz,
  ended_at         timestamptz,
  opened_by        text NOT NULL,
  recommended_at   timestamptz,          -- when its recommendations were made (once: a repeat answers them)
  idempotency_key  text,
  request_hash     text,
  UNIQUE (opened_by, idempotency_key)
);
CREATE INDEX hotline_interactions_customer_idx ON hotline_interactions(customer_id, started_at);
CREATE INDEX hotline_interactions_agent_idx ON hotline_interactions(agent_id, started_at) WHERE agent_id IS NOT NULL;

-- Brands (seed 003: scripts per brand, 三大品牌): a customer's brand follows from their plan. A plan
-- no row names (a prospect's) has no brand and gets an offer's script for every brand ('*').
CREATE TABLE brands (
  code  text PRIMARY KEY CHECK (code ~ '^[a-z0-9][a-z0-9-]{1,39}$'),
  name  text NOT NULL
);
INSERT INTO brands (code, name) VALUES
  ('gotone', '全球通 GoTone'), ('mzone', '动感地带 M-Zone'), ('easyown', '神州行 Easyown');
CREATE TABLE plan_brands (
  plan   text PRIMARY KEY,
  brand  text NOT NULL REFERENCES brands(code)
);
INSERT INTO plan_brands (plan, brand) VALUES
  ('basic-38', 'easyown'), ('plus-58', 'mzone'), ('family-88', 'gotone'), ('unlimited-128', 'gotone');

-- The offers the next best offer chooses from. code is what an order of it carries
-- (orders.offer_code) and, when the service catalogue has it, the sales_services code its sale
-- earns points by; name, price, ships and collect are what the order sells (POST /orders' offer).
CREATE TABLE offers (
  code         text PRIMARY KEY CHECK (code ~ '^[a-z0-9][a-z0-9-]{1,39}$'),
  name         text NOT NULL,
  price        numeric(10,2) NOT NULL CHECK (price >= 0),
  ships        jsonb NOT NULL DEFAULT '[{"sku": "sim-card", "qty": 1}]',
  collect      jsonb,
  margin       numeric(10,2) NOT NULL CHECK (margin >= 0),   -- the value of a sale, in yuan a month
  eligibility  jsonb,                                        -- a segment rule (domain/campaign/segment.ts); null: everyone
  channels     text[] NOT NULL CHECK (cardinality(channels) > 0 AND channels <@ ARRAY['call', 'ivr', 'sms', 'app', 'web']),
  kind         text NOT NULL CHECK (kind IN ('service', 'cross-sell', 'precision', 'active')),
  reasons      text[] NOT NULL DEFAULT '{}' CHECK (reasons <@ ARRAY['bill-query', 'plan-question', 'fault', 'complaint', 'other']),
  active       boolean NOT NULL DEFAULT true,
  version      integer NOT NULL DEFAULT 1,
  updated_by   text NOT NULL,
  updated_at   timestamptz NOT NULL DEFAULT now()
);

-- Business levers marketing sets per offer and region ('*': every region) for a period of days in
-- the operator's time zone ([effective_from, effective_to)). The latest set in force wins, a
-- region's own over '*'; none: 1. A lever of 0 keeps the offer from being recommended there.
CREATE TABLE offer_levers (
  id              bigserial PRIMARY KEY,
  offer_code      text NOT NULL REFERENCES offers(code),
  region          text NOT NULL CHECK (region = '*' OR region ~ '^[a-z]{2,8}$'),
  lever           numeric(8,3) NOT NULL CHECK (lever >= 0 AND lever <= 100),
  effective_from  date NOT NULL,
  effective_to    date CHECK (effective_to > effective_from),
  reason          text,
  set_by          text NOT NULL,
  set_at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX offer_levers_offer_idx ON offer_levers(offer_code, region);

-- The scripts library: per offer and brand ('*': any brand), versioned. A version is never edited;
-- a change is the next version, and the latest active one is used.
CREATE TABLE offer_scripts (
  offer_code  text NOT NULL REFERENCES offers(code),
  brand       text NOT NULL,
  version     integer NOT NULL CHECK (version >= 1),
  body        text NOT NULL,
  active      boolean NOT NULL DEFAULT true,
  created_by  text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (offer_code, brand, version),
  CHECK (brand = '*' OR brand ~ '^[a-z0-9][a-z0-9-]{1,39}$')
);
CREATE FUNCTION offer_script_unchanged() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF (NEW.offer_code, NEW.brand, NEW.version, NEW.body) IS DISTINCT FROM (OLD.offer_code, OLD.brand, OLD.version, OLD.body) THEN
    RAISE EXCEPTION 'script % v% of % is never edited: add a version', OLD.brand, OLD.version, OLD.offer_code USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER offer_scripts_unchanged BEFORE UPDATE ON offer_scripts FOR EACH ROW EXECUTE FUNCTION offer_script_unchanged();

-- The contact policy and the propensities' prior (one row; docs/hotline.md#settings).
CREATE TABLE hotline_settings (
  id                  boolean PRIMARY KEY DEFAULT true CHECK (id),
  refusal_quiet_days  integer NOT NULL DEFAULT 30 CHECK (refusal_quiet_days BETWEEN 0 AND 365),
  weekly_cap          integer NOT NULL DEFAULT 5 CHECK (weekly_cap BETWEEN 0 AND 100),
  max_offers          integer NOT NULL DEFAULT 3 CHECK (max_offers BETWEEN 1 AND 3),
  prior_rate          numeric(6,5) NOT NULL DEFAULT 0.10 CHECK (prior_rate > 0 AND prior_rate < 1),
  prior_weight        numeric(8,2) NOT NULL DEFAULT 20 CHECK (prior_weight > 0),
  updated_by          text NOT NULL DEFAULT 'migration',
  updated_at          timestamptz NOT NULL DEFAULT now()
);
INSERT INTO hotline_settings DEFAULT VALUES;

-- What the API keeps in memory (offers with their compiled rules, levers, scripts, brands,
-- settings) is good while this number is: every change of those tables moves it, and the
-- recommendation's one query reads it.
CREATE TABLE hotline_catalogue (
  id       boolean PRIMARY KEY DEFAULT true CHECK (id),
  version  bigint NOT NULL DEFAULT 1
);
INSERT INTO hotline_catalogue DEFAULT VALUES;
CREATE FUNCTION hotline_catalogue_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE hotline_catalogue SET version = version + 1;
  RETURN NULL;
END $$;
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['offers', 'offer_levers', 'offer_scripts', 'brands', 'plan_brands', 'hotline_settings'] LOOP
    EXECUTE format('CREATE TRIGGER %1$s_catalogue AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON %1$s
                      FOR EACH STATEMENT EXECUTE FUNCTION hotline_catalogue_changed()', t);
  END LOOP;
END $$;

-- A recommendation: one offer at its rank in one interaction, with how it was chosen. The offer
-- is kept as the order would sell it then, so a later change of the offer changes no answer given.
CREATE TABLE hotline_recommendations (
  id              bigserial PRIMARY KEY,
  interaction_id  bigint NOT NULL REFERENCES hotline_interactions(id),
  customer_id     bigint NOT NULL,
  channel         text NOT NULL,
  offer_code      text NOT NULL,
  offer           jsonb NOT NULL,
  completion      text[] NOT NULL,          -- the channels the customer may complete it in
  rank            smallint NOT NULL CHECK (rank BETWEEN 1 AND 3),
  kind            text NOT NULL CHECK (kind IN ('service', 'cross-sell', 'precision', 'active')),
  priority        double precision NOT NULL,
  propensity      double precision NOT NULL,
  value           numeric(10,2) NOT NULL,
  lever           numeric(8,3) NOT NULL,
  segment_key     text NOT NULL,
  reason          text NOT NULL,
  script_brand    text,
  script_version  integer,
  campaign_id     text REFERENCES campaigns(id),
  created_at      timestamptz NOT NULL DEFAULT now(),
  UNIQUE (interaction_id, rank),
  UNIQUE (interaction_id, offer_code)
);
CREATE INDEX hotline_recommendations_customer_idx ON hotline_recommendations(customer_id, created_at);

-- What became of a recommendation: presented, then at most one decision. A repeat of the same
-- outcome lands on its row (the key).
CREATE TABLE hotline_outcomes (
  recommendation_id  bigint NOT NULL REFERENCES hotline_recommendations(id),
  outcome            text NOT NULL CHECK (outcome IN ('presented', 'accepted', 'referred', 'refused', 'not-now')),
  referred_channel   text CHECK (referred_channel IN ('ivr', 'sms', 'app', 'web')),
  order_id           text,
  agent_id           text,
  recorded_by        text NOT NULL,
  at                 timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (recommendation_id, outcome),
  CHECK ((outcome = 'referred') = (referred_channel IS NOT NULL)),
  CHECK (order_id IS NULL OR outcome = 'accepted')
);
CREATE UNIQUE INDEX hotline_outcomes_decision_idx ON hotline_outcomes(recommendation_id) WHERE outcome <> 'presented';

-- Acceptances over presentations per offer and segment key ('<brand>/<context>', and '*' for the
-- offer over every segment), counted in the transaction that records the outcome.
CREATE TABLE hotline_propensity (
  offer_code   text NOT NULL,
  segment_key  text NOT NULL,
  -- (a decision counts its presentation first, so accepted never passes presented; no CHECK says so,
  -- as an upsert's CHECK sees the increment alone)
  presented    integer NOT NULL DEFAULT 0 CHECK (presented >= 0),
  accepted     integer NOT NULL DEFAULT 0 CHECK (accepted >= 0),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (offer_code, segment_key)
);
CREATE INDEX hotline_propensity_segment_idx ON hotline_propensity(segment_key);

-- Precision marketing asks whether the caller has an open lead in a running campaign.
CREATE INDEX IF NOT EXISTS leads_customer_idx ON leads(customer_id);
