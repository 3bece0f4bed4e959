-- A scheduler's corrected delivery address is kept here by the API, and the order workflow is told
-- only its id (no address travels through Temporal, docs/security.md); the next booking reads it.
CREATE TABLE address_corrections (
  id           text PRIMARY KEY,
  order_id     text NOT NULL REFERENCES orders(id),
  address      text NOT NULL,
  region       text,
  requested_by jsonb,
  requested_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX address_corrections_order_idx ON address_corrections(order_id);
