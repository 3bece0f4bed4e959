-- The API's metrics count the open orders by status and stage at every scrape (db/metrics-sql.ts):
-- a partial index of the open ones keeps that count small however many closed orders pile up.
CREATE INDEX orders_open_idx ON orders (status, stage) WHERE stage <> 'done';
