-- An alert's post in flight: until when the attempt that took it may still post it
-- (db/alerts/alerts-sql.ts, claimDelivery). Two attempts at once (an escalation's activity and the
-- budget watch's pass over undelivered alerts) post it once; a lease that runs out (its worker
-- died mid-post) lets the next attempt take it.
ALTER TABLE alerts ADD COLUMN delivering_until timestamptz;
