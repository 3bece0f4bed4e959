-- The hopper claims due leads in (next_attempt_at, id) order. Right after the list pull every lead
-- has the same next_attempt_at, so an index without id made each claim sort the whole list (1M
-- rows at scale). With id in the index a claim reads its few rows in order.
CREATE INDEX leads_due_order_idx ON leads(campaign_id, state, next_attempt_at, id);
DROP INDEX leads_due_idx;
