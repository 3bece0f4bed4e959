-- Control groups (holdout): a campaign may hold out a share of its list at the list pull
-- (definition `holdout: { share }`, domain/campaign/holdout.ts). Held-out leads are written with
-- state 'held-out': never claimed, never called, not open work, never released; the evaluation
-- (GET /reports/evaluation) compares them with the treated leads over the same period.
--
-- Lead states are now: pending (due for a call) · dialing (a call is in flight) · done (no further
-- attempt) · released (the campaign ended before the lead was finished) · held-out (the control
-- group: listed, recorded, left alone).

-- Who is held out: the customer's draw for the campaign, in [0, 1), under the share. A stable hash
-- of (campaign id, customer id): hashtextextended of 'campaign:customer', its sign bit dropped, its
-- top 53 bits over 2^53 (exact as a double, never 1). Defined once, here; SQL language and
-- IMMUTABLE so the planner inlines it into the pull's INSERT ... SELECT (no call per row).
-- domain/campaign/holdout.ts computes the same number in TypeScript.
CREATE FUNCTION holdout_draw(campaign_id text, customer_id bigint) RETURNS double precision
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT ((hashtextextended(campaign_id || ':' || customer_id::text, 0) & 9223372036854775807) >> 10)::double precision
           / 9007199254740992.0
  $$;

-- The baseline the evaluation measures change from, as the customer was at the list pull (the
-- pull's time is leads.listed_at, 017): the monthly spend, and whether they were our customer
-- (only those can churn). Null for leads listed before this column: their baseline is unknown.
ALTER TABLE leads ADD COLUMN spend_at_pull numeric(10,2);
ALTER TABLE leads ADD COLUMN in_network_at_pull boolean;

-- The day the customer left the network, as the customer database feeds it (null: still with us,
-- or never was, for a prospect).
ALTER TABLE customers ADD COLUMN churned_at date;
