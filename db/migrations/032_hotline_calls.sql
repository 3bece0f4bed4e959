-- Hotline marketing, part 2 (issue 16; docs/hotline.md): the dialer's inbound calls keep their
-- interactions up to date, and a referral to a self-service channel waits for the customer's order
-- there, which credits the agent who made it.

-- What the dialer reports of an inbound call beyond its times: the queue, the after-call work, who
-- hung up, why a caller left the queue. Seconds to the millisecond, as the dialer sends them.
ALTER TABLE hotline_interactions
  ADD COLUMN offered_at      timestamptz,
  ADD COLUMN queue_wait_sec  numeric(10,3),
  ADD COLUMN talk_sec        numeric(10,3),
  ADD COLUMN wrap_up_sec     numeric(10,3),
  ADD COLUMN handle_sec      numeric(10,3),
  ADD COLUMN ended_by        text CHECK (ended_by IN ('caller', 'agent')),
  ADD COLUMN abandon_cause   text CHECK (abandon_cause IN ('caller-hung-up', 'max-wait'));

-- Every inbound webhook event once, by the dialer's eventId (`<callId>/<event>`, the same on every
-- copy): the first is kept, a copy changes nothing. Every call is here, identified or not (call
-- volume counts them all); the caller's number never is: customer_id is who the dialer's directory
-- said called, null for a number it did not know.
CREATE TABLE hotline_call_events (
  event_id        text PRIMARY KEY,
  call_id         text NOT NULL,
  event           text NOT NULL CHECK (event IN ('inbound.offered', 'inbound.answered', 'inbound.abandoned', 'inbound.ended')),
  at              timestamptz NOT NULL,      -- the event's own time, by the dialer's clock
  customer_id     bigint,
  interaction_id  bigint REFERENCES hotline_interactions(id),
  team            text NOT NULL,
  agent_id        text,
  reason          text NOT NULL,             -- the dialer's code (the interaction keeps it if it is one of ours, else 'other')
  handle_sec      numeric(10,3),
  received_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX hotline_call_events_call_idx ON hotline_call_events(call_id);
CREATE INDEX hotline_call_events_at_idx ON hotline_call_events(at);

-- A referral: a recommendation the customer was sent to complete in a self-service channel. It
-- waits, until expires_at, for the customer's order of the offer in that channel; the order that
-- completes it carries the referring agent (its sales entry credits them), once: an order completes
-- at most one referral.
CREATE TABLE hotline_referrals (
  recommendation_id  bigint PRIMARY KEY REFERENCES hotline_recommendations(id),
  interaction_id     bigint NOT NULL REFERENCES hotline_interactions(id),
  customer_id        bigint NOT NULL,
  offer_code         text NOT NULL,
  channel            text NOT NULL CHECK (channel IN ('ivr', 'sms', 'app', 'web')),
  agent_id           text,
  referred_at        timestamptz NOT NULL DEFAULT now(),
  expires_at         timestamptz NOT NULL,
  status             text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'completed', 'expired')),
  order_id           text UNIQUE,
  resolved_at        timestamptz,
  CHECK ((status = 'completed') = (order_id IS NOT NULL)),
  CHECK ((status = 'open') = (resolved_at IS NULL)),
  CHECK (expires_at > referred_at)
);
CREATE INDEX hotline_referrals_open_idx ON hotline_referrals(customer_id, offer_code, channel, referred_at) WHERE status = 'open';

-- How long a referral waits for the customer's order (docs/hotline.md#settings): a week unless
-- marketing says otherwise; at most 90 days.
ALTER TABLE hotline_settings
  ADD COLUMN referral_window_seconds integer NOT NULL DEFAULT 604800 CHECK (referral_window_seconds BETWEEN 1 AND 7776000);

-- A referral's end is an outcome of its recommendation too, after the decision: 'completed' (the
-- customer ordered in the channel, with the order) or 'expired' (not within the window). Once each
-- recommendation; the decision stays the one of the four a person reports.
ALTER TABLE hotline_outcomes
  DROP CONSTRAINT hotline_outcomes_outcome_check,
  ADD CONSTRAINT hotline_outcomes_outcome_check
    CHECK (outcome IN ('presented', 'accepted', 'referred', 'refused', 'not-now', 'completed', 'expired')),
  DROP CONSTRAINT hotline_outcomes_check1,
  ADD CONSTRAINT hotline_outcomes_order_check CHECK (order_id IS NULL OR outcome IN ('accepted', 'completed'));
DROP INDEX hotline_outcomes_decision_idx;
CREATE UNIQUE INDEX hotline_outcomes_decision_idx ON hotline_outcomes(recommendation_id) WHERE outcome IN ('accepted', 'referred', 'refused', 'not-now');
CREATE UNIQUE INDEX hotline_outcomes_follow_through_idx ON hotline_outcomes(recommendation_id) WHERE outcome IN ('completed', 'expired');
