-- What an order waits for, in the workflow's own words, kept in Postgres so that reports, lists and
-- GET /orders/:id read it here instead of asking the workflow (a query replays an evicted order's
-- whole history).
--
-- Each event keeps what the order waits for from then on, and since when (the workflow's time of the
-- change). kind 'move' is a step of the order's history as before (a move, a compensation step, the
-- starter's acknowledgement, the stock following a new address); kind 'wait' records only that what
-- the order waits for changed without a move (a booking confirmed, a follow-up waiting for its
-- calling window, a follow-up call under way, compensation begun, stock still short on a re-check).
-- Rows written before this migration have no waiting_for: the API words it from status and stage.
ALTER TABLE order_events
  ADD COLUMN waiting_for   text,
  ADD COLUMN waiting_since timestamptz,
  ADD COLUMN kind          text NOT NULL DEFAULT 'move' CHECK (kind IN ('move', 'wait'));

-- The latest of them on the order itself, so a list shows it without a join.
ALTER TABLE orders
  ADD COLUMN waiting_for   text,
  ADD COLUMN waiting_since timestamptz;
