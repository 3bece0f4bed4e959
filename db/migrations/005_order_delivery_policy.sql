-- A held order nobody decided on within its SLA is escalated: when, until a person decides.
ALTER TABLE orders ADD COLUMN escalated_at timestamptz;
CREATE INDEX orders_held_idx ON orders(status, region) WHERE status = 'held';
