-- A sale recorded through the API (POST /sales) names the caller's Idempotency-Key: a retried POST
-- finds its own entry (the same request) instead of being refused by the one-entry rule as a
-- second sale. A key is the caller's own (recorded_by), so two salespeople's keys never meet.
ALTER TABLE sales_entries
  ADD COLUMN idempotency_key text,
  ADD COLUMN request_hash    text;
CREATE UNIQUE INDEX sales_entries_idempotency_idx ON sales_entries(recorded_by, idempotency_key) WHERE idempotency_key IS NOT NULL;
