-- Sales calls placed although the customer had already had their campaign's cap of marketing calls
-- (over all campaigns) in the period before it. Expected: no rows.
-- Campaigns stored without a cap had the default, 4 calls in 30 days.
WITH counted AS (
  SELECT a.id, a.campaign_id, a.customer_id, (a.checks->>'checkedAt')::timestamptz AS checked_at
    FROM call_attempts a
   WHERE a.purpose = 'sales' AND a.checks->>'result' = 'clear'
     AND a.disposition IS DISTINCT FROM 'blocked' AND a.disposition IS DISTINCT FROM 'not-placed'),
caps AS (
  SELECT k.id AS campaign_id, COALESCE(k.definition->'contactCap', '{"maxCalls":4,"days":30}'::jsonb) AS cap
    FROM campaigns k)
SELECT c.id AS call_id, c.campaign_id, c.customer_id, c.checked_at, caps.cap, earlier.n AS contacts_before
  FROM counted c
  JOIN caps ON caps.campaign_id = c.campaign_id
  CROSS JOIN LATERAL (
    SELECT count(*) AS n FROM counted b
     WHERE b.customer_id = c.customer_id AND b.id <> c.id
       AND b.checked_at < c.checked_at
       AND b.checked_at > c.checked_at - make_interval(days => (caps.cap->>'days')::int)) earlier
 WHERE earlier.n >= (caps.cap->>'maxCalls')::int
 ORDER BY c.checked_at;
